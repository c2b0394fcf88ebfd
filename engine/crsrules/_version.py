"""The engine version, reported in every trace summary beside the rulesets' versions."""
__version__ = "0.2.0"
