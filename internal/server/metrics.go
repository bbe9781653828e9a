package server

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/orielhq/oriel/internal/proxy"
	"github.com/orielhq/oriel/internal/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics holds one Server's Prometheus collectors, in a registry of its
// own so that several servers (in tests) never clash.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// inFlight counts the requests being served now, the /metrics request
	// that reads it included.
	inFlight prometheus.Gauge
	// proxied and upstream count the proxy's requests by provider.
	proxied  *prometheus.CounterVec
	upstream *prometheus.HistogramVec
	handler  http.Handler
}

// statser is a store that reports its connection pool.
type statser interface{ Stats() sql.DBStats }

func newMetrics(st store.Store) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "oriel_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "oriel_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "oriel_http_requests_in_flight",
			Help: "HTTP requests being served now (reading their body included), this scrape among them.",
		}),
	}
	m.proxied = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "oriel_proxy_requests_total",
		Help: "Requests forwarded to providers' APIs, by provider and the class of the provider's last answer (2xx … 5xx, or error when none came).",
	}, []string{"provider", "class"})
	m.upstream = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "oriel_proxy_upstream_duration_seconds",
		Help:    "Time providers took to answer proxied requests (to their response headers, all attempts), by provider.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"provider"})
	reg.MustRegister(m.requests, m.latency, m.inFlight, m.proxied, m.upstream,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db, ok := st.(statser); ok {
		registerPoolStats(reg, db)
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

// observe counts one answered request. Requests that matched no route share
// the route label "unmatched", and unusual methods the label "OTHER", so
// that no caller can make the label sets grow.
func (m *metrics) observe(route, method string, status int, elapsed time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
	default:
		method = "OTHER"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(elapsed.Seconds())
}

// observeProxy counts one proxied request. Provider keys come from the
// catalogue, so the label sets stay bounded.
func (m *metrics) observeProxy(o proxy.Outcome) {
	class := "error"
	if o.Status > 0 {
		class = strconv.Itoa(o.Status/100) + "xx"
	}
	m.proxied.WithLabelValues(o.Provider, class).Inc()
	if o.Status > 0 {
		m.upstream.WithLabelValues(o.Provider).Observe(o.Upstream.Seconds())
	}
}

// registerPoolStats exports the database connection pool's statistics.
func registerPoolStats(reg *prometheus.Registry, db statser) {
	gauge := func(name, help string, value func(sql.DBStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "oriel_db_" + name, Help: help},
			func() float64 { return value(db.Stats()) })
	}
	counter := func(name, help string, value func(sql.DBStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "oriel_db_" + name, Help: help},
			func() float64 { return value(db.Stats()) })
	}
	reg.MustRegister(
		gauge("max_open_connections", "Maximum open database connections.", func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) }),
		gauge("open_connections", "Open database connections.", func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
		gauge("in_use_connections", "Database connections in use.", func(s sql.DBStats) float64 { return float64(s.InUse) }),
		gauge("idle_connections", "Idle database connections.", func(s sql.DBStats) float64 { return float64(s.Idle) }),
		counter("wait_count_total", "Times a query waited for a free connection.", func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
		counter("wait_duration_seconds_total", "Time spent waiting for a free connection.", func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
	)
}
