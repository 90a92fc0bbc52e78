package io.actorgrid.grid;

/** A map that holds entries, and how many. */
public record MapInfo(String name, long entries) {}
