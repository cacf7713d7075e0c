"""Built-in detectors; every module here registers its classes on import."""
