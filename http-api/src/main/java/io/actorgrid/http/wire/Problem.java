package io.actorgrid.http.wire;

/** An RFC 9457 problem document, the body of every error response. */
public record Problem(String type, String title, int status, String detail) {}
