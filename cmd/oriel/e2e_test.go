package main

// Process tests: they build the oriel binary once and run it as an operator
// would, on loopback ports and temporary data directories, against SQLite and
// a fresh PostgreSQL database per test.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/logtest"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// startTimeout bounds how long a server may take to listen, a command to run.
const startTimeout = 60 * time.Second

var build struct {
	once sync.Once
	dir  string // removed by TestMain
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// orielBinary builds the oriel binary on first use, with the race detector
// when the tests have it (which also reuses their compiled packages).
func orielBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		if build.dir, build.err = os.MkdirTemp("", "oriel-e2e-"); build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "oriel")
		args := []string{"build", "-o", build.path}
		if raceEnabled() {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// processEnv returns this process's environment without any ORIEL_ variable,
// plus extra ("KEY=value" each), so that the tests control the configuration.
func processEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ORIEL_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// newKeysEnv returns "ORIEL_ENCRYPTION_KEYS=…" with a fresh key.
func newKeysEnv(t *testing.T) string {
	t.Helper()
	entry, err := seal.NewKeyEntry("k1")
	if err != nil {
		t.Fatal(err)
	}
	return encryptionKeysEnv + "=" + entry
}

// serveProcess is a running `oriel serve` process.
type serveProcess struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string // where it listens, e.g. http://127.0.0.1:41234
	stdout logtest.Buffer
	stderr logtest.Buffer // its logs
	exited chan struct{}
}

// listeningLine is what serve prints once it accepts connections.
var listeningLine = regexp.MustCompile(`listening on (http://\S+)`)

// launchServe starts `oriel serve` on a free loopback port; call waitListening next.
func launchServe(t *testing.T, env []string, args ...string) *serveProcess {
	t.Helper()
	s := &serveProcess{t: t, exited: make(chan struct{})}
	s.cmd = exec.Command(orielBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Env = env
	s.cmd.Stdout, s.cmd.Stderr = &s.stdout, &s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-s.exited
		if t.Failed() {
			t.Logf("serve %v logs:\n%s", args, s.stderr.String())
		}
	})
	return s
}

// waitListening waits until the server listens, and records its URL.
func (s *serveProcess) waitListening() *serveProcess {
	s.t.Helper()
	deadline := time.After(startTimeout)
	for {
		if m := listeningLine.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			return s
		}
		select {
		case <-s.exited:
			s.t.Fatalf("oriel serve exited with %v before listening:\n%s", s.cmd.ProcessState, s.stderr.String())
		case <-deadline:
			s.t.Fatalf("oriel serve did not listen within %s:\n%s", startTimeout, s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// startServe starts `oriel serve` and waits until it listens.
func startServe(t *testing.T, env []string, args ...string) *serveProcess {
	t.Helper()
	return launchServe(t, env, args...).waitListening()
}

// signal sends sig to the server.
func (s *serveProcess) signal(sig os.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
}

// wait waits for the server to exit and returns its exit code.
func (s *serveProcess) wait() int {
	s.t.Helper()
	select {
	case <-s.exited:
		return s.cmd.ProcessState.ExitCode()
	case <-time.After(startTimeout):
		s.t.Fatalf("oriel serve did not exit within %s", startTimeout)
		return -1
	}
}

// kill stops the server with SIGKILL, as a crash would.
func (s *serveProcess) kill() {
	s.t.Helper()
	s.signal(syscall.SIGKILL)
	s.wait()
}

// call sends a JSON request with an API key and decodes the JSON answer.
func (s *serveProcess) call(method, path, apiKey string, body any) (int, map[string]any) {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	return do(s.t, req, apiKey)
}

// do sends req with an API key and decodes the JSON answer, if any.
func do(t *testing.T, req *http.Request, apiKey string) (int, map[string]any) {
	t.Helper()
	code, body, err := send(req, apiKey)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return code, body
}

// send is do for goroutines other than the test's own, which must not call t.Fatal.
func send(req *http.Request, apiKey string) (int, map[string]any, error) {
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	if req.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	var out map[string]any
	if len(raw) > 0 && strings.Contains(resp.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			return 0, nil, fmt.Errorf("%v in %s", err, raw)
		}
	}
	return resp.StatusCode, out, nil
}

// runBinary runs a one-shot oriel command and returns its stdout, stderr and exit code.
func runBinary(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(orielBinary(t), args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = time.Second
	timer := time.AfterFunc(startTimeout, func() { cmd.Process.Kill() })
	defer timer.Stop()
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("oriel %v: %v", args, err)
		}
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// createVendor runs `oriel vendor create --json` and returns the vendor id and API key.
func createVendor(t *testing.T, env []string, args ...string) (vendorID, apiKey string) {
	t.Helper()
	stdout, stderr, code := runBinary(t, env, append([]string{"vendor", "create", "--name", "Acme", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("vendor create: exit %d\n%s", code, stderr)
	}
	var out struct {
		Vendor struct{ ID string }     `json:"vendor"`
		APIKey struct{ Secret string } `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.Vendor.ID == "" || out.APIKey.Secret == "" {
		t.Fatalf("vendor create --json printed %q (%v)", stdout, err)
	}
	return out.Vendor.ID, out.APIKey.Secret
}

// TestServeDevOnSQLite is the first thing a new user does: serve --dev, make
// a vendor, call the API with its key.
func TestServeDevOnSQLite(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	env := processEnv()
	s := startServe(t, env, "--dev", "--data-dir", dataDir)

	if code, _ := s.call("GET", "/healthz", "", nil); code != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", code)
	}
	keyFile := filepath.Join(dataDir, seal.DevKeyFile)
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("dev key file mode %04o, want 0600", perm)
	}
	key, _ := os.ReadFile(keyFile)

	vendorID, apiKey := createVendor(t, env, "--data-dir", dataDir)
	code, body := s.call("GET", "/v1/vendor", apiKey, nil)
	if code != http.StatusOK || body["id"] != vendorID {
		t.Errorf("GET /v1/vendor = %d %v, want 200 with id %s", code, body, vendorID)
	}
	if code, _ := s.call("GET", "/v1/vendor", "sk_wrong", nil); code != http.StatusUnauthorized {
		t.Errorf("GET /v1/vendor with a wrong key = %d, want 401", code)
	}
	stdout, _, _ := runBinary(t, env, "vendor", "list", "--data-dir", dataDir)
	if !strings.Contains(stdout, vendorID) || !strings.Contains(stdout, "Acme") {
		t.Errorf("vendor list does not show the vendor:\n%s", stdout)
	}

	// A restart reuses the key file.
	s.signal(syscall.SIGTERM)
	if code := s.wait(); code != 0 {
		t.Fatalf("exit code after SIGTERM %d, want 0", code)
	}
	restarted := startServe(t, env, "--dev", "--data-dir", dataDir)
	if again, _ := os.ReadFile(keyFile); !bytes.Equal(again, key) {
		t.Error("a second serve --dev replaced the key file")
	}

	// Neither the API key nor the encryption key is ever logged.
	_, material, _ := strings.Cut(strings.TrimSpace(string(key)), ":")
	for _, secret := range []string{apiKey, material} {
		if strings.Contains(s.stderr.String()+s.stdout.String()+restarted.stderr.String(), secret) {
			t.Errorf("serve printed a secret")
		}
	}
}

// backends make the environment of a server on a fresh database of each kind.
var backends = map[string]func(t *testing.T) []string{
	"sqlite": func(t *testing.T) []string {
		return processEnv("ORIEL_DATA_DIR="+t.TempDir(), newKeysEnv(t))
	},
	"postgres": func(t *testing.T) []string {
		return processEnv("ORIEL_DATABASE_URL="+storetest.PostgresURL(t), "ORIEL_DATA_DIR="+t.TempDir(), newKeysEnv(t))
	},
}

// TestKillDurability kills the server with SIGKILL right after each 201 from
// POST /v1/customers; after a restart every acknowledged customer is there.
func TestKillDurability(t *testing.T) {
	t.Parallel()
	for name, newEnv := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			_, apiKey := createVendor(t, env)
			created := map[string]string{} // id → external id
			for i := range 3 {
				s := startServe(t, env)
				externalID := fmt.Sprintf("acme-%d", i)
				code, body := s.call("POST", "/v1/customers", apiKey, map[string]any{"external_id": externalID, "name": "Acme"})
				if code != http.StatusCreated {
					t.Fatalf("POST /v1/customers = %d %v", code, body)
				}
				s.kill()
				created[body["id"].(string)] = externalID
			}
			s := startServe(t, env)
			for id, externalID := range created {
				code, body := s.call("GET", "/v1/customers/"+id, apiKey, nil)
				if code != http.StatusOK || body["external_id"] != externalID {
					t.Errorf("after kill -9 and restart, GET /v1/customers/%s = %d %v", id, code, body)
				}
			}
		})
	}
}

// startReplicas starts two servers on one fresh PostgreSQL database,
// together (their migrations take turns under the advisory lock), and
// creates a vendor; it returns their environment, the servers and the
// vendor's API key.
func startReplicas(t *testing.T) (env []string, a, b *serveProcess, apiKey string) {
	t.Helper()
	env = processEnv("ORIEL_DATABASE_URL="+storetest.PostgresURL(t), "ORIEL_DATA_DIR="+t.TempDir(), newKeysEnv(t))
	a, b = launchServe(t, env), launchServe(t, env)
	a.waitListening()
	b.waitListening()
	_, apiKey = createVendor(t, env)
	return env, a, b, apiKey
}

// TestReplicasSharePostgres runs two servers on one PostgreSQL database,
// started together (their migrations take turns under the advisory lock):
// what one writes, the other serves.
func TestReplicasSharePostgres(t *testing.T) {
	t.Parallel()
	_, a, b, apiKey := startReplicas(t)

	code, created := a.call("POST", "/v1/customers", apiKey, map[string]any{"external_id": "globex", "name": "Globex"})
	if code != http.StatusCreated {
		t.Fatalf("POST /v1/customers on replica A = %d %v", code, created)
	}
	id := created["id"].(string)
	if code, got := b.call("GET", "/v1/customers/"+id, apiKey, nil); code != http.StatusOK || got["name"] != "Globex" {
		t.Errorf("GET on replica B = %d %v, want the customer A created", code, got)
	}
	if code, got := b.call("PATCH", "/v1/customers/Eglobex", apiKey, map[string]any{"name": "Globex Corp"}); code != http.StatusOK {
		t.Fatalf("PATCH on replica B = %d %v", code, got)
	}
	if code, got := a.call("GET", "/v1/customers/"+id, apiKey, nil); code != http.StatusOK || got["name"] != "Globex Corp" {
		t.Errorf("GET on replica A = %d %v, want the name B set", code, got)
	}
}

// TestMigrate migrates a fresh PostgreSQL database, then finds nothing to do.
func TestMigrate(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresURL(t)
	for range 2 {
		stdout, stderr, code := runBinary(t, processEnv(), "migrate", "--database", dsn)
		if code != 0 || !strings.Contains(stdout, "up to date") {
			t.Fatalf("oriel migrate: exit %d, stdout %q\n%s", code, stdout, stderr)
		}
	}
}

// TestGracefulShutdown sends SIGTERM while a request is in flight: the server
// stops accepting connections, finishes the request, and exits 0.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	env := processEnv("ORIEL_DATA_DIR="+t.TempDir(), newKeysEnv(t))
	_, apiKey := createVendor(t, env)
	s := startServe(t, env)

	body, writer := io.Pipe()
	req, err := http.NewRequest("POST", s.url+"/v1/customers", body)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		code int
		body map[string]any
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		code, body, err := send(req, apiKey)
		answered <- result{code, body, err}
	}()
	if _, err := io.WriteString(writer, `{"external_id": "in-flight", `); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the server is now reading the body
	s.signal(syscall.SIGTERM)

	// New connections are refused as soon as shutdown begins.
	addr := strings.TrimPrefix(s.url, "http://")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 10 s after SIGTERM")
		}
	}
	select {
	case <-s.exited:
		t.Fatal("the server exited with a request in flight")
	default:
	}

	io.WriteString(writer, `"name": "Finished after SIGTERM"}`)
	writer.Close()
	if r := <-answered; r.err != nil || r.code != http.StatusCreated || r.body["name"] != "Finished after SIGTERM" {
		t.Errorf("the in-flight request got %d %v (%v), want 201", r.code, r.body, r.err)
	}
	if code := s.wait(); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	if logs := s.stderr.String(); !strings.Contains(logs, "shutting down") || !strings.Contains(logs, "stopped") {
		t.Errorf("no shutdown in the logs:\n%s", logs)
	}
}

// TestServeWithoutKeysFails checks the refusal to start without encryption
// keys, and its message, which must tell how to make one.
func TestServeWithoutKeysFails(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	_, stderr, code := runBinary(t, processEnv(), "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	for _, want := range []string{"no encryption keys", "export ORIEL_ENCRYPTION_KEYS=k1:$(openssl rand -base64 32)", "--dev"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("serve created the data directory before refusing to start: %v", err)
	}

	const material = "dG9vIHNob3J0IGEga2V5"
	_, stderr, code = runBinary(t, processEnv(encryptionKeysEnv+"=k1:"+material), "serve", "--data-dir", dataDir)
	if code != 1 || !strings.Contains(stderr, encryptionKeysEnv) || strings.Contains(stderr, material) {
		t.Errorf("a bad key: exit %d, stderr %q; want 1 and a message naming %s without the key", code, stderr, encryptionKeysEnv)
	}
}

// TestExitCodes checks the process exit codes: 0 for help, 2 for usage errors.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		want string // in stdout or stderr
	}{
		{[]string{"--help"}, 0, "Usage: oriel <command>"},
		{[]string{"serve", "--help"}, 0, "Usage: oriel serve"},
		{[]string{"frobnicate"}, 2, "oriel help"},
		{[]string{"serve", "--frobnicate"}, 2, "oriel serve --help"},
		{nil, 2, "Usage: oriel <command>"},
	}
	for _, c := range cases {
		stdout, stderr, code := runBinary(t, processEnv(), c.args...)
		if code != c.code || !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("oriel %v: exit %d, output %q; want exit %d and %q", c.args, code, stdout+stderr, c.code, c.want)
		}
	}
}

// TestOversizedHeadersRefused is catalogue K06: a request whose headers pass
// the server's limit is refused with 431 before any handler runs.
func TestOversizedHeadersRefused(t *testing.T) {
	t.Parallel()
	s := startServe(t, processEnv("ORIEL_DATA_DIR="+t.TempDir(), newKeysEnv(t)))
	req, err := http.NewRequest("GET", s.url+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Padding", strings.Repeat("a", 2*maxHeaderBytes))
	code, _ := do(t, req, "")
	if code != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("headers of %d bytes: status %d, want 431", 2*maxHeaderBytes, code)
	}
}
