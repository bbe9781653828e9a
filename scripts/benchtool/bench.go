package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to count PostgreSQL sessions
	"github.com/orielhq/oriel/directlink"
)

// pruneInterval is Oriel's --prune-interval here: short, so that the
// pruning run sees a prune.
const pruneInterval = 2 * time.Second

// origin is the vendor page that frames the direct links.
const origin = "https://app.bench.test"

// runBench runs every scenario on every database and prints the table.
func runBench(ctx context.Context, args []string) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "oriel-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	b := &bench{o: o, tmp: tmp, self: self}
	defer b.stopAll()
	b.verifyCost, err = rs256VerifyCost()
	if err != nil {
		return err
	}
	fmt.Printf("one RS256 verify (2048-bit): %.1f µs CPU\n", us(b.verifyCost))
	var results []*result
	for db := range strings.SplitSeq(o.databases, ",") {
		rs, err := b.runDatabase(ctx, strings.TrimSpace(db))
		if err != nil {
			return fmt.Errorf("%s: %w", db, err)
		}
		results = append(results, rs...)
	}
	printTable(os.Stdout, b.verifyCost, results)
	return nil
}

// bench is one run's state.
type bench struct {
	o          *options
	tmp        string
	self       string
	verifyCost time.Duration
	procs      []*exec.Cmd
}

// result is one scenario measured on Oriel beside the floor.
type result struct {
	db, scenario string
	oriel, floor *load // floor is nil where the floor is the RS256 verify
	note         string
}

// scenarioOn reports whether the scenario is selected by -only.
func (b *bench) scenarioOn(name string) bool {
	return b.o.only == "" || slices.Contains(strings.Split(b.o.only, ","), name)
}

// runDatabase starts Oriel on db ("sqlite" or "postgres") beside a floor and
// measures each scenario.
func (b *bench) runDatabase(ctx context.Context, db string) ([]*result, error) {
	dbURL, drop, err := b.database(ctx, db)
	if err != nil {
		return nil, err
	}
	defer drop()
	env := b.seedEnv(dbURL)
	v, err := b.createVendor(ctx, env)
	if err != nil {
		return nil, err
	}
	oriel, err := b.startOriel(ctx, env, db)
	if err != nil {
		return nil, err
	}
	defer b.stop(oriel.cmd)
	w, err := seed(ctx, oriel.url, v)
	if err != nil {
		return nil, err
	}
	if b.scenarioOn("list1000") {
		if w.bigCustomerToken, err = seedBigCustomer(ctx, oriel.url, v, bigCustomerConnections); err != nil {
			return nil, err
		}
	}
	floor, err := b.startFloor(ctx, v.secret+","+w.accessToken+","+w.bigCustomerToken)
	if err != nil {
		return nil, err
	}
	defer b.stop(floor.cmd)

	var out []*result
	sideBySide := func(name, method, path string, headers map[string]string, body, bearer string) error {
		size, err := responseSize(oriel.url, method, path, headers, body)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		target := wrkTarget{method: method, headers: headers, body: body}
		target.url = oriel.url + path
		ro, err := b.measure(ctx, oriel, target, name)
		if err != nil {
			return fmt.Errorf("%s on oriel: %w", name, err)
		}
		floorHeaders := map[string]string{"Authorization": "Bearer " + bearer, "Content-Type": "application/json"}
		rf, err := b.measure(ctx, floor, wrkTarget{method: method, url: fmt.Sprintf("%s/bytes/%d", floor.url, size), headers: floorHeaders, body: body}, name)
		if err != nil {
			return fmt.Errorf("%s on the floor: %w", name, err)
		}
		out = append(out, &result{db: db, scenario: name, oriel: ro, floor: rf, note: fmt.Sprintf("%d-byte body", size)})
		return nil
	}
	if b.scenarioOn("token") {
		if err := sideBySide("POST /v1/auth/access-tokens", "POST", "/v1/auth/access-tokens",
			map[string]string{"Authorization": "Bearer " + v.secret, "Content-Type": "application/json"}, w.issueBody, v.secret); err != nil {
			return nil, err
		}
	}
	if b.scenarioOn("list") {
		if err := sideBySide("GET /widget-api/connections (1)", "GET", "/widget-api/connections",
			map[string]string{"Authorization": "Bearer " + w.accessToken, "X-Oriel-Parent-Origin": origin}, "", w.accessToken); err != nil {
			return nil, err
		}
	}
	if b.scenarioOn("list1000") {
		token := w.bigCustomerToken
		if err := sideBySide(fmt.Sprintf("GET /widget-api/connections?limit=100 (%d)", bigCustomerConnections), "GET", "/widget-api/connections?limit=100",
			map[string]string{"Authorization": "Bearer " + token, "X-Oriel-Parent-Origin": origin}, "", token); err != nil {
			return nil, err
		}
	}
	if b.scenarioOn("open") {
		r, err := b.measureOpens(ctx, oriel, w, db, "direct-link open", 0)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if b.scenarioOn("prune") && b.o.pruneRows > 0 {
		r, err := b.measureOpens(ctx, oriel, w, db, "direct-link open during a prune", b.o.pruneRows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// database returns the URL of a fresh database of kind db and a function
// that drops it.
func (b *bench) database(ctx context.Context, db string) (string, func(), error) {
	switch db {
	case "sqlite":
		return filepath.Join(b.tmp, "oriel.db"), func() { os.Remove(filepath.Join(b.tmp, "oriel.db")) }, nil
	case "postgres":
		admin, err := sql.Open("pgx", b.o.postgresURL)
		if err != nil {
			return "", nil, err
		}
		name := fmt.Sprintf("oriel_bench_%d", os.Getpid())
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			admin.Close()
			return "", nil, fmt.Errorf("create database (is PostgreSQL running? make postgres): %w", err)
		}
		u, _ := url.Parse(b.o.postgresURL)
		u.Path = "/" + name
		drop := func() {
			admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			admin.Close()
		}
		return u.String(), drop, nil
	}
	return "", nil, fmt.Errorf("unknown database %q (sqlite or postgres)", db)
}

// seedEnv is the environment of every oriel command of one database.
func (b *bench) seedEnv(dbURL string) []string {
	key := make([]byte, 32)
	rand.Read(key)
	return append(os.Environ(),
		"ORIEL_DATABASE_URL="+dbURL,
		"ORIEL_DATA_DIR="+b.tmp,
		"ORIEL_ENCRYPTION_KEYS=k1:"+base64.StdEncoding.EncodeToString(key),
	)
}

// vendor is the benchmark's vendor and its API key.
type vendor struct{ id, secret string }

func (b *bench) createVendor(ctx context.Context, env []string) (*vendor, error) {
	cmd := exec.CommandContext(ctx, b.o.oriel, "vendor", "create", "--name", "Bench", "--json")
	cmd.Env = env
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("oriel vendor create: %w", err)
	}
	var created struct {
		Vendor struct {
			ID string `json:"id"`
		} `json:"vendor"`
		APIKey struct {
			Secret string `json:"secret"`
		} `json:"api_key"`
	}
	if err := json.Unmarshal(out, &created); err != nil {
		return nil, err
	}
	return &vendor{id: created.Vendor.ID, secret: created.APIKey.Secret}, nil
}

// server is a process the benchmark started and loads.
type server struct {
	cmd *exec.Cmd
	url string
	db  string // "" for the floor
	// dbURL is the database Oriel runs on.
	dbURL string
	// debugAddr serves Oriel's profiler, with -profiles.
	debugAddr string
}

func (b *bench) startOriel(ctx context.Context, env []string, db string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(b.tmp, "oriel-"+db+".log"))
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", addr, "--public-url", "http://" + addr, "--api-rate", "1e9", "--api-burst", "1000000000", "--token-rate", "1e9", "--token-burst", "1000000000", "--prune-interval", pruneInterval.String(),
		// Links that ran out are refused, not locked out: a run that needs more is run again.
		"--link-failure-limit", "1000000000"}
	debugAddr := ""
	if b.o.profiles != "" {
		if debugAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		args = append(args, "--debug-addr", debugAddr)
	}
	cmd := exec.Command(b.o.oriel, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = io.Discard, log
	if err := b.start(cmd); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, url: "http://" + addr, db: db, debugAddr: debugAddr}
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ORIEL_DATABASE_URL="); ok {
			s.dbURL = v
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("oriel did not get ready (log: %s)", log.Name())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *bench) startFloor(ctx context.Context, tokens string) (*server, error) {
	cmd := exec.Command(b.self, "floor")
	cmd.Env = append(os.Environ(), "BENCH_FLOOR_TOKENS="+tokens)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := b.start(cmd); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("the floor did not start: %w", err)
	}
	return &server{cmd: cmd, url: "http://" + strings.TrimSpace(line)}, nil
}

func (b *bench) start(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	b.procs = append(b.procs, cmd)
	return nil
}

// stop ends a process the benchmark started, gracefully.
func (b *bench) stop(cmd *exec.Cmd) {
	if cmd.ProcessState != nil {
		return
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func (b *bench) stopAll() {
	for _, c := range b.procs {
		b.stop(c)
	}
}

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// world is what the benchmark's requests use.
type world struct {
	issueBody    string
	accessToken  string
	connectionID string
	signer       *directlink.Signer
	// bigCustomerToken is bound to the customer of the list1000 scenario.
	bigCustomerToken string
}

// seed gives the vendor an allowed origin, a signing key, customer acme
// with user ada, an integration and one connection, and issues a token.
func seed(ctx context.Context, base string, v *vendor) (*world, error) {
	call := func(method, path, body string, out any) error {
		return apiCall(ctx, base, v.secret, method, path, body, out)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	priv, _ := x509.MarshalPKCS8PrivateKey(key)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	signer, err := directlink.NewSigner(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}), v.id)
	if err != nil {
		return nil, err
	}
	keyBody, _ := json.Marshal(map[string]string{"public_key": string(pubPEM)})
	var conn struct {
		ID string `json:"id"`
	}
	var issued struct {
		AccessToken string `json:"access_token"`
	}
	w := &world{issueBody: `{"grant_type":"client_credentials","bound_entity":{"type":"user","id":"Eada","customer":"Eacme"}}`, signer: signer}
	for _, step := range []struct {
		method, path, body string
		out                any
	}{
		{"PATCH", "/v1/vendor", `{"allowed_origins":["` + origin + `"]}`, nil},
		{"POST", "/v1/signing-keys", string(keyBody), nil},
		{"POST", "/v1/customers", `{"external_id":"acme","name":"Acme Corp"}`, nil},
		{"POST", "/v1/customers/Eacme/users", `{"external_id":"ada","name":"Ada","role":"member"}`, nil},
		{"PUT", "/v1/integrations/keys", `{"provider":"openai","display_name":"OpenAI"}`, nil},
		{"POST", "/v1/customers/Eacme/connections", `{"integration":"keys"}`, &conn},
		{"POST", "/v1/auth/access-tokens", w.issueBody, &issued},
	} {
		if err := call(step.method, step.path, step.body, step.out); err != nil {
			return nil, fmt.Errorf("seeding: %w", err)
		}
	}
	w.connectionID, w.accessToken = conn.ID, issued.AccessToken
	return w, nil
}

// apiCall makes one vendor API call with the API key secret and decodes
// its JSON answer into out, when out is not nil.
func apiCall(ctx context.Context, base, secret, method, path, body string, out any) error {
	req, _ := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// bigCustomerConnections is how many connections the customer of the
// list1000 scenario has: its widget's first page (100) is compared with the
// page of one connection.
const bigCustomerConnections = 1000

// seedBigCustomer creates customer "big" with n connections and returns an
// access token bound to it.
func seedBigCustomer(ctx context.Context, base string, v *vendor, n int) (string, error) {
	post := func(path, body string, out any) error {
		return apiCall(ctx, base, v.secret, "POST", path, body, out)
	}
	if err := post("/v1/customers", `{"external_id":"big","name":"Big Corp"}`, nil); err != nil {
		return "", err
	}
	for range n {
		if err := post("/v1/customers/Ebig/connections", `{"integration":"keys"}`, nil); err != nil {
			return "", err
		}
	}
	var issued struct {
		AccessToken string `json:"access_token"`
	}
	err := post("/v1/auth/access-tokens", `{"grant_type":"client_credentials","bound_entity":{"type":"customer","id":"Ebig"}}`, &issued)
	return issued.AccessToken, err
}

// responseSize is the size of Oriel's answer to one request, for the
// floor to answer as much.
func responseSize(base, method, path string, headers map[string]string, body string) (int, error) {
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%d %s", resp.StatusCode, bytes.TrimSpace(data))
	}
	return len(data), nil
}
