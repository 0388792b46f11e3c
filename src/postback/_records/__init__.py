"""The records a template renders: the field catalog, ``Action`` and ``Item``, conversion,
the generated record reader and exact JSON loading."""
