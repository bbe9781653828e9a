// Command oriel is the Oriel server and its command-line tools: run the
// server, migrate its database, manage vendors, and sign direct-link tokens.
//
// Run `oriel help` for the commands and `oriel COMMAND --help` for each one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand. Its func gets the arguments after the command's
// name; it prints its usage and returns flag.ErrHelp for --help.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error
}

// commands is the one table of top-level commands, in the order `oriel help` lists them.
var commands = []command{
	{"serve", "run the server", cmdServe},
	{"demo", "run Oriel with a partner app and an OAuth provider, on this machine", cmdDemo},
	{"migrate", "apply database migrations and exit", cmdMigrate},
	{"vendor", "create and list vendors (create prints a new API key once)", cmdVendor},
	{"keys", "re-encrypt stored secrets after adding an encryption key", cmdKeys},
	{"keygen", "make a key pair for signing direct-link tokens", cmdKeygen},
	{"token", "sign a direct-link token (JWT)", cmdToken},
	{"link", "print a signed direct-link URL; 'link inspect' says why a link is refused", cmdLink},
}

// about introduces `oriel help`.
const about = `Oriel lets a SaaS vendor embed secure widgets in its own product: the
connection widget, where its customers connect third-party apps (OAuth2, API
key, basic), and the customer workspace. Users are signed in through
direct links (a JWT the vendor signs) or bound access tokens (the browser SDK).`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // after the first signal, a second one stops at once
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(os.Stderr, "oriel: %v\n", err)
	}
	os.Exit(exitCode(err))
}

// run runs the command named in args[1] with the rest of args (args[0] is
// the program). It reads the environment only through env, so tests can run
// it in process.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		args = args[1:]
	}
	return dispatch(ctx, "oriel", about, commands, args, env, stdout, stderr)
}

// dispatch runs the command of cmds named by args[0]. "help", "-h" and
// "--help" list the commands; "help NAME" shows one command's usage.
func dispatch(ctx context.Context, prog, about string, cmds []command, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printCommands(stderr, prog, about, cmds)
		return usageErrorf("no command given")
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			printCommands(stdout, prog, about, cmds)
			return nil
		}
		name, rest = rest[0], []string{"--help"}
	}
	for _, c := range cmds {
		if c.name == name {
			return c.run(ctx, rest, env, stdout, stderr)
		}
	}
	return usageErrorf("unknown command %q; run '%s help' to see the commands", name, prog)
}

// printCommands prints the usage of a command group.
func printCommands(w io.Writer, prog, about string, cmds []command) {
	fmt.Fprintf(w, "%s\n\nUsage: %s <command> [flags]\n\nCommands:\n", about, prog)
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> --help' for the flags of a command.\n", prog)
}

// usageError is a mistake on the command line; the process exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usageErrorf returns a *usageError.
func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitCode maps run's result to the process exit status: 0 for success and
// for --help, 2 for a usage error, 1 for any other failure.
func exitCode(err error) int {
	var u *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		return 2
	default:
		return 1
	}
}
