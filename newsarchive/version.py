"""The package version, in a module of its own: stages import it without importing the
package's lazy ``extract``/``load`` entry points (which would make import cycles)."""

__version__ = "0.1.0"
