"""Converters between document formats, behind one registry (`registry.get`)."""
