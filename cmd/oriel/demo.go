package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/orielhq/oriel/internal/demo"
)

// demoShutdownTimeout is how long the demo's servers may take to finish
// their requests when it stops.
const demoShutdownTimeout = 5 * time.Second

// demoConfig is the configuration of `oriel demo`.
type demoConfig struct {
	dataDir                string
	reset                  bool
	port, crmPort, appPort int
	log                    *logFlags
}

// parseDemoConfig reads demo's flags.
func parseDemoConfig(args []string, env func(string) string, stdout io.Writer) (*demoConfig, error) {
	f, c := newDemoFlags()
	if err := f.parse(args, env, stdout); err != nil {
		return nil, err
	}
	for name, p := range map[string]int{"--port": c.port, "--crm-port": c.crmPort, "--app-port": c.appPort} {
		if p < 0 || p > 65535 {
			return nil, f.usageErrorf("%s must be a port from 0 to 65535, not %d", name, p)
		}
	}
	return c, nil
}

// newDemoFlags returns demo's flags, which fill in the returned config.
func newDemoFlags() (*commandFlags, *demoConfig) {
	f := newCommandFlags("oriel demo", "[flags]",
		`Runs the whole system on this machine, offline, in one process:
  - Oriel on SQLite, in development mode, at http://localhost:PORT;
  - the Demo CRM, an OAuth 2.0 provider with a consent page, at http://127.0.0.1:CRM-PORT;
  - Northwind, a partner app that embeds Oriel's widgets every way there is,
    at http://127.0.0.1:APP-PORT: open it in a browser.
The first run creates Northwind's vendor account, API key and signing key,
customers Acme and Globex with their users, integrations and connections; the
next runs reuse them. Ctrl-C stops everything. See docs/demo.md.`)
	c := &demoConfig{log: addLogFlags(f, slog.LevelWarn)}
	f.StringVar(&c.dataDir, "data-dir", "./oriel-demo", "`directory` for the demo's database, keys and API key")
	f.BoolVar(&c.reset, "reset", false, "delete the data directory first, and start over")
	f.IntVar(&c.port, "port", 8080, "`port` of Oriel, on localhost (0: any free port)")
	f.IntVar(&c.crmPort, "crm-port", 9090, "`port` of the Demo CRM, on 127.0.0.1 (0: any free port)")
	f.IntVar(&c.appPort, "app-port", 3000, "`port` of Northwind, the partner app, on 127.0.0.1 (0: any free port)")
	return f, c
}

// cmdDemo runs Oriel, the Demo CRM and Northwind until ctx is cancelled,
// then shuts all three down gracefully.
func cmdDemo(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	c, err := parseDemoConfig(args, env, stdout)
	if err != nil {
		return err
	}
	logger, err := c.log.logger(stderr)
	if err != nil {
		return err
	}
	if c.reset {
		if err := demo.Reset(c.dataDir); err != nil {
			return err
		}
	}
	var lns [3]net.Listener
	for i, port := range []int{c.port, c.crmPort, c.appPort} {
		if lns[i], err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err != nil {
			closeAll(lns[:i])
			return fmt.Errorf("%w (choose other ports with --port, --crm-port and --app-port)", err)
		}
	}
	defer closeAll(lns[:])
	orielLn, crmLn, appLn := lns[0], lns[1], lns[2]
	orielURL := "http://localhost:" + portOf(orielLn)

	// Oriel is `oriel serve --dev` on the data directory, whatever the environment says.
	withoutEnv := func(string) string { return "" }
	serveCfg, err := parseServeConfig([]string{"--dev", "--data-dir", c.dataDir, "--public-url", orielURL,
		"--shutdown-timeout", demoShutdownTimeout.String()}, withoutEnv, io.Discard)
	if err != nil {
		return err
	}
	db, keyring, err := openOriel(ctx, withoutEnv, serveCfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := demo.Open(ctx, demo.Config{
		DataDir:  c.dataDir,
		OrielURL: orielURL,
		CRMURL:   localURL(crmLn.Addr()),
		AppURL:   localURL(appLn.Addr()),
		Store:    db,
		Logger:   logger,
	})
	if err != nil {
		return err
	}

	servers, serving := errgroup.WithContext(ctx)
	servers.Go(func() error { return serveOriel(serving, orielLn, serveCfg, db, keyring, logger) })
	servers.Go(func() error { return serveHTTP(serving, crmLn, d.CRM(), demoShutdownTimeout, logger) })
	app, err := d.PartnerApp(serving)
	if err != nil {
		if ctx.Err() == nil { // else stopped while seeding: no failure
			servers.Go(func() error { return err }) // stops the others
		}
		return servers.Wait()
	}
	servers.Go(func() error { return serveHTTP(serving, appLn, app, demoShutdownTimeout, logger) })
	d.WriteWelcome(stdout)
	err = servers.Wait()
	fmt.Fprintln(stdout, "Oriel demo stopped.")
	return err
}

// portOf returns the port a listener listens on.
func portOf(ln net.Listener) string {
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// closeAll closes the listeners that are open.
func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		if ln != nil {
			ln.Close()
		}
	}
}
