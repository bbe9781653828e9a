package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/logtest"
)

// demoRun is `oriel demo` running in process, on free ports.
type demoRun struct {
	t               *testing.T
	stop            context.CancelFunc
	done            chan error
	app, oriel, crm string // base URLs, from the welcome message
	apiKey          string
	stdout, stderr  *logtest.Buffer
}

// welcomeRE reads the URLs and the API key from the demo's welcome message.
var welcomeRE = regexp.MustCompile(`(?s)Northwind \(partner app\)\s+(http://\S+)\s+Oriel\s+(http://\S+)\s+Demo CRM \(OAuth 2\.0\)\s+(http://\S+).*API key\s+(sk_\S+)`)

// startDemo runs `oriel demo` on dataDir until the test ends or stop is called.
func startDemo(t *testing.T, dataDir string, args ...string) *demoRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &demoRun{t: t, stop: cancel, done: make(chan error, 1), stdout: &logtest.Buffer{}, stderr: &logtest.Buffer{}}
	args = append([]string{"oriel", "demo", "--data-dir", dataDir, "--port", "0", "--crm-port", "0", "--app-port", "0"}, args...)
	go func() { d.done <- run(ctx, args, noEnvVars, d.stdout, d.stderr) }()
	t.Cleanup(func() { d.shutdown() })
	deadline := time.After(startTimeout)
	for !strings.Contains(d.stdout.String(), "Press Ctrl-C to stop.") {
		select {
		case err := <-d.done:
			d.done <- err
			t.Fatalf("oriel demo stopped before it started: %v\nstdout: %s\nstderr: %s", err, d.stdout, d.stderr)
		case <-deadline:
			t.Fatalf("oriel demo did not start in %s\nstdout: %s\nstderr: %s", startTimeout, d.stdout, d.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	m := welcomeRE.FindStringSubmatch(d.stdout.String())
	if m == nil {
		t.Fatalf("no URLs and API key in the welcome message:\n%s", d.stdout)
	}
	d.app, d.oriel, d.crm, d.apiKey = m[1], m[2], m[3], m[4]
	return d
}

// shutdown stops the demo as Ctrl-C does, and checks that it stops cleanly.
func (d *demoRun) shutdown() {
	d.stop()
	select {
	case err := <-d.done:
		if err != nil {
			d.t.Errorf("oriel demo: %v\nstderr: %s", err, d.stderr)
		}
		d.done <- err // a second shutdown sees the same result
	case <-time.After(startTimeout):
		d.t.Errorf("oriel demo did not stop")
	}
	if !strings.Contains(d.stdout.String(), "Oriel demo stopped.") {
		d.t.Errorf("no goodbye: %s", d.stdout)
	}
}

// get fetches url without following redirects and returns the status, the
// Location header and the body.
func (d *demoRun) get(url string) (int, string, string) {
	d.t.Helper()
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		d.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// list returns the data of a vendor API list.
func (d *demoRun) list(path string) []any {
	d.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, d.oriel+path, nil)
	code, body := do(d.t, req, d.apiKey)
	if code != http.StatusOK {
		d.t.Fatalf("GET %s: %d %v", path, code, body)
	}
	data, _ := body["data"].([]any)
	return data
}

// widgetLinkRE finds the direct link the raw-iframe page frames.
var widgetLinkRE = regexp.MustCompile(`<iframe id="orielWidget"[^>]* src="([^"]+)"`)

// rawPageLink loads the raw-iframe page and returns the direct link in it.
func (d *demoRun) rawPageLink() string {
	d.t.Helper()
	code, _, page := d.get(d.app + "/raw")
	m := widgetLinkRE.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		d.t.Fatalf("GET /raw: %d, no widget iframe in %s", code, page)
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

func TestDemoRunsAllThreeServersAndSeedsOnce(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "demo")
	first := startDemo(t, dataDir)

	if code, _, _ := first.get(first.oriel + "/readyz"); code != http.StatusOK {
		t.Errorf("Oriel /readyz: %d", code)
	}
	if code, _, body := first.get(first.crm + "/.well-known/oauth-authorization-server"); code != http.StatusOK || !strings.Contains(body, `"issuer":"`+first.crm+`"`) {
		t.Errorf("Demo CRM metadata: %d %s", code, body)
	}
	if code, _, body := first.get(first.app + "/"); code != http.StatusOK || !strings.Contains(body, "Northwind") {
		t.Errorf("Northwind /: %d", code)
	}
	for _, path := range []string{"/static/app.css", "/static/app.js", "/static/react-app.js"} {
		if code, _, _ := first.get(first.app + path); code != http.StatusOK {
			t.Errorf("Northwind %s: %d", path, code)
		}
	}

	// Every load of the raw-iframe page signs a new link, which Oriel opens once.
	link := first.rawPageLink()
	if !strings.HasPrefix(link, first.oriel+"/direct_link/embedded/connections/conn_") || link == first.rawPageLink() {
		t.Errorf("the raw-iframe page does not frame a fresh direct link: %s", link)
	}
	if code, _, _ := first.get(link); code != http.StatusOK {
		t.Errorf("opening the page's direct link: %d", code)
	}
	if code, _, _ := first.get(link); code != http.StatusUnauthorized {
		t.Errorf("opening the page's direct link again: %d, want 401 (jti replayed)", code)
	}
	if code, location, _ := first.get(first.app + "/sso"); code != http.StatusSeeOther || !strings.HasPrefix(location, first.oriel+"/direct_link/sso?dl_path=%2Fconnections&dl_token=") {
		t.Errorf("Northwind /sso: %d to %q, want a redirect to a fresh SSO link", code, location)
	}

	// Northwind's token endpoint trades its API key for a token bound to the signed-in user.
	tokenReq, _ := http.NewRequest(http.MethodPost, first.app+"/api/oriel-token", strings.NewReader("{}"))
	if code, token := do(t, tokenReq, ""); code != http.StatusOK || token["token"] == nil || token["expiresIn"] == nil {
		t.Errorf("Northwind's token endpoint: %d %v", code, token)
	}

	// The CRM data page reads the Demo CRM through Oriel's proxy; Acme has
	// not connected it yet (the browser test connects it and sees the data).
	if code, _, body := first.get(first.app + "/crm"); code != http.StatusOK || !strings.Contains(body, "has not connected its Demo CRM yet") {
		t.Errorf("Northwind /crm: %d %s", code, body)
	}

	// The seed, through the printed API key.
	if n := len(first.list("/v1/customers")); n != 2 {
		t.Errorf("%d customers, want Acme and Globex", n)
	}
	if n := len(first.list("/v1/customers/Eacme/users")); n != 2 {
		t.Errorf("Acme has %d users, want an admin and a viewer", n)
	}
	if n := len(first.list("/v1/integrations")); n != 2 {
		t.Errorf("%d integrations, want the Demo CRM and the Demo Mailer", n)
	}
	if n := len(first.list("/v1/appointment-types")); n != 2 {
		t.Errorf("%d appointment types, want telehealth and the benefits advisor", n)
	}
	connections := first.list("/v1/connections")
	if len(connections) != 4 {
		t.Errorf("%d connections, want 2 per customer", len(connections))
	}
	for _, name := range []string{"demo.json", "northwind-signing-key.pem", "encryption.key"} {
		if fi, err := os.Stat(filepath.Join(dataDir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v, want 0600", name, err, fi.Mode())
		}
	}
	first.shutdown()

	// A second run reuses everything.
	second := startDemo(t, dataDir)
	if second.apiKey != first.apiKey {
		t.Errorf("the second run printed another API key")
	}
	if n := len(second.list("/v1/customers")); n != 2 {
		t.Errorf("after a second run: %d customers, want 2", n)
	}
	if n := len(second.list("/v1/appointment-types")); n != 2 {
		t.Errorf("after a second run: %d appointment types, want 2", n)
	}
	if again := second.list("/v1/connections"); len(again) != len(connections) {
		t.Errorf("after a second run: %d connections, want %d", len(again), len(connections))
	}
	second.shutdown()

	// --reset starts over: a new vendor, whose key is not the old one.
	third := startDemo(t, dataDir, "--reset")
	if third.apiKey == first.apiKey {
		t.Errorf("--reset kept the API key")
	}
	req, _ := http.NewRequest(http.MethodGet, third.oriel+"/v1/vendor", nil)
	if code, _ := do(t, req, first.apiKey); code != http.StatusUnauthorized {
		t.Errorf("the API key from before --reset: %d, want 401", code)
	}
	third.shutdown()
}

// TestDemoDocsListEveryFlag keeps docs/demo.md in step with demo's flags.
func TestDemoDocsListEveryFlag(t *testing.T) {
	doc, err := os.ReadFile("../../docs/demo.md")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := newDemoFlags()
	f.VisitAll(func(fl *flag.Flag) {
		if !strings.Contains(string(doc), "| `--"+fl.Name+"` |") {
			t.Errorf("docs/demo.md has no row for --%s", fl.Name)
		}
	})
}

func TestDemoRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--port", "70000"}, {"--app-port", "-1"}, {"extra"}} {
		_, _, err := runOriel(t, nil, append([]string{"demo"}, args...)...)
		if exitCode(err) != 2 {
			t.Errorf("oriel demo %v: exit code %d (err %v), want 2", args, exitCode(err), err)
		}
	}
}

func TestDemoResetRefusesAnotherDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := runOriel(t, nil, "demo", "--data-dir", dir, "--reset", "--port", "0", "--crm-port", "0", "--app-port", "0")
	if err == nil || !strings.Contains(err.Error(), "refusing to reset") {
		t.Errorf("--reset on a directory the demo did not make: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "thesis.tex")); err != nil {
		t.Errorf("--reset deleted a file it did not make: %v", err)
	}
}
