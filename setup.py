"""The top-level themes/ folder ships inside the package as dynotui.themes."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["dynotui*"]), "dynotui.themes"],
      package_dir={"dynotui.themes": "themes"})
