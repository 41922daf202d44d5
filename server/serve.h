/*
 * serve.h -- the entry point of `trine serve`, called by the trine
 * program (cli/main.c) when its first argument is "serve".
 */
#ifndef TRINE_SERVE_H
#define TRINE_SERVE_H

/// The `trine serve` command: argv[0] is "serve". Returns the exit status.
int serve_main(int argc, char **argv);

#endif
