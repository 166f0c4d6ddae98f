"""The demo-company generator and its ground truth."""

from revgen.generate.company import generate_company

__all__ = ["generate_company"]
