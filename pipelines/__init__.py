"""Item pipelines (installed as ``newsarchive.pipelines``): provenance, normalization,
validation and export happen here, after extraction."""
