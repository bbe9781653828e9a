package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, to seed expired rows
)

// load is what one wrk run measured.
type load struct {
	requests  int64
	errors    int64 // non-2xx answers and socket errors
	rps       float64
	p50, p99  time.Duration
	cpu       time.Duration // the server process's CPU time during the run
	sessions  int64         // PostgreSQL sessions counted by pg_stat_database during the run (-1: not PostgreSQL)
	started   int64         // PostgreSQL backends of Oriel's database started during the run and still open
	fileBytes [2]int64      // SQLite file size before and after the run (prune run only)
	pruned    string
}

// cpuPerRequest is the server's CPU time per answered request.
func (l *load) cpuPerRequest() time.Duration {
	if l.requests == 0 {
		return 0
	}
	return l.cpu / time.Duration(l.requests)
}

// wrkTarget is one request wrk repeats.
type wrkTarget struct {
	method, url string
	headers     map[string]string
	body        string
}

// luaString quotes s as a Lua long string.
func luaString(s string) string {
	eq := "="
	for strings.Contains(s, "]"+eq+"]") {
		eq += "="
	}
	return "[" + eq + "[" + s + "]" + eq + "]"
}

func (t wrkTarget) script() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk.method = %s\n", luaString(t.method))
	if t.body != "" {
		fmt.Fprintf(&b, "wrk.body = %s\n", luaString(t.body))
	}
	for k, v := range t.headers {
		fmt.Fprintf(&b, "wrk.headers[ %s ] = %s\n", luaString(k), luaString(v))
	}
	return b.String()
}

// measure warms the server up, then loads it for -duration.
func (b *bench) measure(ctx context.Context, s *server, t wrkTarget, name string) (*load, error) {
	script := filepath.Join(b.tmp, "target.lua")
	if err := os.WriteFile(script, []byte(t.script()), 0o600); err != nil {
		return nil, err
	}
	if _, err := b.wrk(ctx, s, script, t.url, b.o.warmup); err != nil {
		return nil, err
	}
	stop := b.profile(s, name)
	defer stop()
	return b.wrk(ctx, s, script, t.url, b.o.duration)
}

// profile saves a CPU profile of s during the next -duration in the
// -profiles directory, when there is one; stop waits for it.
func (b *bench) profile(s *server, name string) (stop func()) {
	if b.o.profiles == "" || s.debugAddr == "" {
		return func() {}
	}
	file := filepath.Join(b.o.profiles, s.db+"-"+strings.NewReplacer(" ", "-", "/", "_", "(", "", ")", "").Replace(name)+".pprof")
	done := make(chan struct{})
	go func() {
		defer close(done)
		seconds := max(1, int(b.o.duration.Seconds())-1)
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.debugAddr, seconds))
		if err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
			return
		}
		defer resp.Body.Close()
		if err := os.MkdirAll(b.o.profiles, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
			return
		}
		f, err := os.Create(file)
		if err == nil {
			_, err = io.Copy(f, resp.Body)
			f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
		}
	}()
	return func() { <-done }
}

// wrk runs wrk against s for d and reads its report, the server's CPU time
// and, on PostgreSQL, the sessions opened meanwhile.
func (b *bench) wrk(ctx context.Context, s *server, script, target string, d time.Duration) (*load, error) {
	sessions, err := b.sessionCounter(ctx, s)
	if err != nil {
		return nil, err
	}
	defer sessions.close()
	before, err := sessions.count(ctx)
	if err != nil {
		return nil, err
	}
	runStart := time.Now()
	cpu0, err := processCPU(s.cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(b.o.threads), "-c", strconv.Itoa(b.o.connections),
		"-d", fmt.Sprintf("%ds", int(d.Seconds())), "--latency", "--timeout", "10s", "-s", script, target)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("wrk: %w", err)
	}
	cpu1, err := processCPU(s.cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	l, err := parseWrk(string(out))
	if err != nil {
		return nil, err
	}
	l.cpu = cpu1 - cpu0
	if l.sessions, err = sessions.count(ctx); err == nil && l.sessions >= 0 {
		l.sessions -= before
		l.started, err = sessions.startedSince(ctx, runStart)
	}
	return l, err
}

// sessionCounter counts the PostgreSQL sessions of Oriel's database.
type sessionCounter struct{ db *sql.DB }

func (b *bench) sessionCounter(ctx context.Context, s *server) (*sessionCounter, error) {
	if s.db != "postgres" {
		return &sessionCounter{}, nil
	}
	db, err := sql.Open("pgx", s.dbURL)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &sessionCounter{db: db}, db.PingContext(ctx)
}

// count is how many sessions the database has seen, or -1 without PostgreSQL.
// A backend reports its session to the statistics at most once a second,
// so count waits that long first.
func (c *sessionCounter) count(ctx context.Context) (int64, error) {
	if c.db == nil {
		return -1, nil
	}
	time.Sleep(1100 * time.Millisecond)
	var n int64
	if _, err := c.db.ExecContext(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
		return 0, err
	}
	err := c.db.QueryRowContext(ctx, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()").Scan(&n)
	return n, err
}

// startedSince counts the other backends of the database that started
// at t or later and are still open. Unlike pg_stat_database, which a backend
// may update up to 10 s late, it is exact, but it misses sessions that
// closed again.
func (c *sessionCounter) startedSince(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := c.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_start >= $1`, t).Scan(&n)
	return n, err
}

func (c *sessionCounter) close() {
	if c.db != nil {
		c.db.Close()
	}
}

// processCPU is the user and system CPU time pid has used so far.
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond, nil
}

var (
	wrkRequests = regexp.MustCompile(`(\d+) requests in`)
	wrkRPS      = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSocket   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkPercent  = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$`)
)

// parseWrk reads wrk --latency's report.
func parseWrk(out string) (*load, error) {
	l := &load{}
	m := wrkRequests.FindStringSubmatch(out)
	r := wrkRPS.FindStringSubmatch(out)
	if m == nil || r == nil {
		return nil, fmt.Errorf("cannot read wrk's report:\n%s", out)
	}
	l.requests, _ = strconv.ParseInt(m[1], 10, 64)
	l.rps, _ = strconv.ParseFloat(r[1], 64)
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		l.errors += n
	}
	if m := wrkSocket.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.ParseInt(s, 10, 64)
			l.errors += n
		}
	}
	for _, m := range wrkPercent.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[3]]
		d := time.Duration(v * float64(unit))
		if m[1] == "50" {
			l.p50 = d
		} else {
			l.p99 = d
		}
	}
	return l, nil
}

// measureOpens loads the connection widget's direct link with fresh tokens,
// one per request. With pruneRows > 0, it first stores that many expired
// jtis, which the server's pruner (every --prune-interval) deletes during
// the run.
func (b *bench) measureOpens(ctx context.Context, s *server, w *world, db, name string, pruneRows int) (*result, error) {
	warm, err := b.linkScript(w, "warmup", b.o.linkRate, b.o.warmup)
	if err != nil {
		return nil, err
	}
	warmed, err := b.wrk(ctx, s, warm, s.url, b.o.warmup)
	if err != nil {
		return nil, err
	}
	// Enough tokens for the run at two and a half times the warm-up's rate
	// of opened links (a busy machine may slow the warm-up down). Refused
	// requests do not count: past its last token the warm-up replays links,
	// which are refused. When the run runs out of tokens all the same, it is
	// run again with twice as many.
	opened := float64(warmed.requests-warmed.errors) / b.o.warmup.Seconds()
	rate := max(b.o.linkRate, int(opened*2.5))
	if warmed.errors > 0 {
		rate = max(rate, int(opened*4)) // the warm-up could have opened more
	}
	for attempt := 1; ; attempt++ {
		l, err := b.runOpens(ctx, s, w, name, pruneRows, rate)
		if err != nil || l.errors == 0 || attempt == maxOpenAttempts {
			return &result{db: db, scenario: name, oriel: l}, err
		}
		fmt.Fprintf(os.Stderr, "%s on %s: %d links a second ran out (%d refused); again with twice as many\n", name, db, rate, l.errors)
		rate *= 2
	}
}

// maxOpenAttempts bounds the runs of measureOpens.
const maxOpenAttempts = 3

// runOpens is one measured run of measureOpens with rate links a second.
func (b *bench) runOpens(ctx context.Context, s *server, w *world, name string, pruneRows, rate int) (*load, error) {
	script, err := b.linkScript(w, "run", rate, b.o.duration)
	if err != nil {
		return nil, err
	}
	stop := b.profile(s, name)
	defer stop()
	var size [2]int64
	if pruneRows > 0 {
		if err := storeExpiredJTIs(ctx, s, pruneRows); err != nil {
			return nil, err
		}
		size[0] = fileSize(s)
	}
	l, err := b.wrk(ctx, s, script, s.url, b.o.duration)
	if err != nil {
		return nil, err
	}
	if pruneRows > 0 {
		time.Sleep(3 * time.Second) // let the prune finish
		size[1] = fileSize(s)
		l.fileBytes = size
		left, err := countExpiredJTIs(ctx, s)
		if err != nil {
			return nil, err
		}
		l.pruned = fmt.Sprintf("%d of %d expired jtis left", left, pruneRows)
	}
	return l, nil
}

// linkScript signs rate links per second of d and writes a wrk script
// that requests each once, threads taking turns.
func (b *bench) linkScript(w *world, name string, rate int, d time.Duration) (string, error) {
	links, err := signLinks(w, rate*int(d.Seconds()))
	if err != nil {
		return "", err
	}
	file := filepath.Join(b.tmp, name+"-links.txt")
	if err := os.WriteFile(file, []byte(strings.Join(links, "\n")+"\n"), 0o600); err != nil {
		return "", err
	}
	script := filepath.Join(b.tmp, name+"-links.lua")
	lua := fmt.Sprintf(`local counter = 0
setup = function(thread) thread:set("id", counter); counter = counter + 1 end
local paths = {}
local i = 0
init = function(args)
  local n = 0
  for line in io.lines(%s) do
    if n %% %d == id then paths[#paths + 1] = line end
    n = n + 1
  end
end
-- Past the last token, links are replayed: they answer 401 and count as errors.
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i], {["Referer"] = %s, ["Sec-Fetch-Dest"] = "iframe"})
end
`, luaString(file), b.o.threads, luaString(origin+"/settings"))
	return script, os.WriteFile(script, []byte(lua), 0o600)
}

// signLinks signs n direct links to the connection widget, on every core.
func signLinks(w *world, n int) ([]string, error) {
	out := make([]string, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	workers := 4
	for k := range workers {
		wg.Go(func() {
			for i := k; i < n; i += workers {
				tok, err := w.signer.Token("Eacme", "Eada", origin)
				if err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
					return
				}
				out[i] = "/direct_link/embedded/connections/" + w.connectionID + "?dl_token=" + tok
			}
		})
	}
	wg.Wait()
	return out, first
}

// expiredJTIPrefix marks the rows storeExpiredJTIs adds.
const expiredJTIPrefix = "bench-expired-"

// storeExpiredJTIs adds n jtis that expired an hour ago, in one transaction,
// from this process (SQLite lets it write beside the server).
func storeExpiredJTIs(ctx context.Context, s *server, n int) error {
	db, err := openDirect(s)
	if err != nil {
		return err
	}
	defer db.Close()
	var vendorID string
	if err := db.QueryRowContext(ctx, "SELECT id FROM vendors LIMIT 1").Scan(&vendorID); err != nil {
		return err
	}
	expired := time.Now().Add(-time.Hour).UnixMicro()
	_, err = db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < `+strconv.Itoa(n)+`)
		INSERT INTO direct_link_jtis (vendor_id, jti, expires_at) SELECT $1, '`+expiredJTIPrefix+`' || i, $2 FROM n`, vendorID, expired)
	return err
}

func countExpiredJTIs(ctx context.Context, s *server) (int64, error) {
	db, err := openDirect(s)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM direct_link_jtis WHERE jti LIKE '"+expiredJTIPrefix+"%'").Scan(&n)
	return n, err
}

// openDirect opens Oriel's database from this process.
func openDirect(s *server) (*sql.DB, error) {
	if s.db == "postgres" {
		return sql.Open("pgx", s.dbURL)
	}
	return sql.Open("sqlite", "file:"+s.dbURL+"?_pragma=busy_timeout(10000)")
}

// fileSize is the size of the SQLite file and its WAL, or 0 on PostgreSQL.
func fileSize(s *server) int64 {
	if s.db != "sqlite" {
		return 0
	}
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.dbURL + suffix); err == nil {
			total += fi.Size()
		}
	}
	return total
}

// rs256VerifyCost is the CPU time of one RS256 signature check (2048-bit
// key, SHA-256 of a token-sized input), measured on this process alone.
func rs256VerifyCost() (time.Duration, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return 0, err
	}
	input := make([]byte, 400)
	sum := sha256.Sum256(input)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return 0, err
	}
	const n = 3000
	start := selfCPU()
	for range n {
		sum := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
			return 0, err
		}
	}
	return (selfCPU() - start) / n, nil
}

// selfCPU is this process's CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// printTable prints every result and the ratios the targets use.
func printTable(w io.Writer, verify time.Duration, results []*result) {
	sort.SliceStable(results, func(i, j int) bool { return results[i].scenario < results[j].scenario })
	fmt.Fprintf(w, "\n%-36s %-8s %10s %10s %10s %9s %12s %10s %s\n", "path", "db", "req/s", "× floor", "p99", "CPU/req", "× floor CPU", "sessions", "notes")
	for _, r := range results {
		l := r.oriel
		ratio, cpuRatio := "", ""
		if r.floor != nil {
			ratio = fmt.Sprintf("%.3f", l.rps/r.floor.rps)
			cpuRatio = fmt.Sprintf("%.1f", float64(l.cpuPerRequest())/float64(max(r.floor.cpuPerRequest(), 1)))
		} else {
			cpuRatio = fmt.Sprintf("%.1f×verify", float64(l.cpuPerRequest())/float64(verify))
		}
		sessions := "-"
		if l.sessions >= 0 {
			sessions = fmt.Sprintf("%d/%d", l.sessions, l.started)
		}
		note := r.note
		if l.errors > 0 {
			note += fmt.Sprintf(" %d ERRORS", l.errors)
		}
		if l.pruned != "" {
			note += fmt.Sprintf(" %s; file %.1f→%.1f MB", l.pruned, float64(l.fileBytes[0])/1e6, float64(l.fileBytes[1])/1e6)
		}
		fmt.Fprintf(w, "%-36s %-8s %10.0f %10s %10s %7.0fµs %12s %10s %s\n", r.scenario, r.db, l.rps, ratio, l.p99.Round(10*time.Microsecond), us(l.cpuPerRequest()), cpuRatio, sessions, note)
		if r.floor != nil {
			f := r.floor
			fmt.Fprintf(w, "%-36s %-8s %10.0f %10s %10s %7.0fµs\n", "  floor", "", f.rps, "", f.p99.Round(10*time.Microsecond), us(f.cpuPerRequest()))
		}
	}
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
