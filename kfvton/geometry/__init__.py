"""Coordinate frames, thin-plate splines and flow fields."""
