"""Tests of the app's artwork, sounds, desktop files and the loader that finds them."""
