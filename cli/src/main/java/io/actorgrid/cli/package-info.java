/**
 * {@code actorgrid-cli}, the command-line client of the HTTP API v1. Start at {@link
 * io.actorgrid.cli.Cli}: its global options, its subcommands and their exit statuses; {@code
 * ExportCommand} and {@code ImportCommand} hold the backup format and its idempotent restore. Only
 * the JDK's HTTP client, Jackson and picocli are on its class path, so it starts in a fraction of a
 * second; {@code bin/actorgrid-cli} runs it.
 */
package io.actorgrid.cli;
