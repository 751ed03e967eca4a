"""Peta situasi: offline, server-drawn SVG maps of a province's regencies."""
