package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// commandFlags is the flag set of one command. A flag may be bound to an
// environment variable, which it takes its value from when the flag is not
// on the command line: flags win over the environment, which wins over the
// defaults.
type commandFlags struct {
	*flag.FlagSet
	synopsis string            // the arguments, e.g. "--name NAME [flags]"
	about    string            // what the command does
	envKeys  map[string]string // flag name → environment variable
	// positional is how many arguments besides flags the command takes;
	// flags may come before or after them.
	positional int
	args       []string
}

// Args returns the positional arguments parse read.
func (f *commandFlags) Args() []string { return f.args }

// newCommandFlags returns an empty flag set for command, the way it is typed
// (e.g. "oriel vendor create"), taking the arguments that synopsis shows.
func newCommandFlags(command, synopsis, about string) *commandFlags {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors itself
	return &commandFlags{FlagSet: fs, synopsis: synopsis, about: about, envKeys: map[string]string{}}
}

// bindEnv makes the flag name fall back to the environment variable key.
func (f *commandFlags) bindEnv(name, key string) {
	if f.Lookup(name) == nil {
		panic("bindEnv: no flag " + name)
	}
	f.envKeys[name] = key
}

// parse parses args, then gives every flag that was not on the command line
// the value of its environment variable, when that is set. For --help it
// prints the usage to stdout and returns flag.ErrHelp; any mistake is a
// usage error. A command takes f.positional arguments (Args returns them),
// usually none.
func (f *commandFlags) parse(args []string, env func(string) string, stdout io.Writer) error {
	err := f.Parse(args)
	for err == nil && f.NArg() > 0 && len(f.args) < f.positional {
		f.args = append(f.args, f.Arg(0))
		err = f.Parse(f.FlagSet.Args()[1:])
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.printUsage(stdout)
		return flag.ErrHelp
	case err != nil:
		return f.usageErrorf("%v", err)
	case f.NArg() > 0:
		return f.usageErrorf("unexpected argument %q", f.Arg(0))
	case len(f.args) < f.positional:
		return f.usageErrorf("missing argument: %s", f.synopsis)
	}
	given := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	for name, key := range f.envKeys {
		value := env(key)
		if given[name] || value == "" {
			continue
		}
		if err := f.Set(name, value); err != nil {
			return f.usageErrorf("environment variable %s: %v", key, err)
		}
	}
	return nil
}

// usageErrorf returns a usage error that points to this command's --help.
func (f *commandFlags) usageErrorf(format string, args ...any) error {
	return usageErrorf("%s (run '%s --help' for usage)", fmt.Sprintf(format, args...), f.Name())
}

// printUsage prints the synopsis, the description and every flag with its
// default and environment variable.
func (f *commandFlags) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s %s\n\n%s\n", f.Name(), f.synopsis, f.about)
	header := false
	f.VisitAll(func(fl *flag.Flag) {
		if !header {
			fmt.Fprintf(w, "\nFlags:\n")
			header = true
		}
		typ, usage := flag.UnquoteUsage(fl)
		fmt.Fprintf(w, "  --%s", fl.Name)
		if typ != "" {
			fmt.Fprintf(w, " %s", typ)
		}
		fmt.Fprintf(w, "\n      %s", usage)
		var notes []string
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" {
			notes = append(notes, fmt.Sprintf("default %s", fl.DefValue))
		}
		if key := f.envKeys[fl.Name]; key != "" {
			notes = append(notes, "env "+key)
		}
		if len(notes) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(notes, "; "))
		}
		fmt.Fprintln(w)
	})
}
