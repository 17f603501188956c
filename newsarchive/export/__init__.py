"""Writing and converting exports: JSON Lines batches, manifest, versions, Parquet, CSV.

Each module has one job; heavy dependencies (pyarrow) are imported only by the
modules that need them.
"""
