"""Activation: hand segments to the tools where work happens (exports, destinations) and privacy."""
