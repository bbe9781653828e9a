package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/netguard"
)

// Dispatcher defaults.
const (
	DefaultInterval = time.Second
	DefaultBatch    = 16
	DefaultLease    = time.Minute
	// finishTimeout bounds recording an attempt's outcome, which goes on
	// when the dispatcher is stopping.
	finishTimeout = 10 * time.Second
)

// Store is the part of store.Store the Dispatcher uses: the outbox of
// deliveries, claimed under a lease and finished one attempt at a time.
type Store interface {
	// ClaimWebhookDeliveries leases up to limit due deliveries until
	// leaseUntil, each to one caller only, across replicas.
	ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*oriel.WebhookDelivery, error)
	// FinishWebhookDelivery records an attempt and releases the lease.
	FinishWebhookDelivery(ctx context.Context, id string, delivered bool, lastError string, next time.Time) error
}

// Dispatcher delivers the outbox's due deliveries. Every replica may run
// one: a claim leases each delivery to one dispatcher, and a lease that runs
// out (the process died mid-delivery) makes the delivery due again.
//
// A delivery is marked delivered only after its endpoint answered 2xx, so
// each event arrives at least once, and sometimes more than once: receivers
// dedupe on webhook-id. A failed attempt is retried with exponential backoff
// until RetryPeriod after the event was created, then given up.
type Dispatcher struct {
	Store Store
	// HTTPClient sends the requests; nil means a client made once by
	// NewHTTPClient(Destinations). Redirects are never followed, whatever
	// its CheckRedirect.
	HTTPClient *http.Client
	// Destinations says which addresses the default client may connect to;
	// the zero value refuses loopback, private, link-local (cloud metadata
	// included) and the other non-public ranges of package netguard. A
	// refused attempt records last_error "destination_not_allowed".
	Destinations netguard.Policy
	// Logger gets one line per attempt (event, endpoint and delivery ids,
	// status); never a secret, a URL or a body. Nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Interval is the pause between passes that found nothing more to do;
	// zero means DefaultInterval.
	Interval time.Duration
	// Batch is how many deliveries one pass claims and sends at once; zero
	// means DefaultBatch.
	Batch int
	// Lease is how long a claim holds, the longest a crashed dispatcher can
	// delay its deliveries; zero means DefaultLease. Each attempt is cut
	// off at half the lease, so a live dispatcher finishes before its lease
	// runs out.
	Lease time.Duration

	defaultClient sync.Once
	ownClient     *http.Client // made by the first call of client
}

// Run makes passes until ctx ends, then returns nil. After a pass that
// claimed a full batch it goes straight on to the next; otherwise it pauses
// for Interval. A pass that fails (the database is down) is logged and
// tried again after the pause.
func (d *Dispatcher) Run(ctx context.Context) error {
	for {
		n, err := d.DeliverDue(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			d.log().Warn("webhook pass failed", "error", err.Error())
		}
		if err == nil && n == d.batch() {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d.interval()):
		}
	}
}

// DeliverDue makes one pass: it claims up to Batch due deliveries, sends
// them concurrently, and records each outcome. It returns how many it
// claimed, and the errors of recording outcomes.
//
// When ctx ends, attempts in flight are abandoned unrecorded and keep their
// lease, so they are sent again once it runs out, as after a crash.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	now := d.now()
	due, err := d.Store.ClaimWebhookDeliveries(ctx, now, now.Add(d.lease()), d.batch())
	if err != nil {
		return 0, err
	}
	errs := make([]error, len(due))
	var wg sync.WaitGroup
	for i, delivery := range due {
		wg.Go(func() { errs[i] = d.deliver(ctx, delivery) })
	}
	wg.Wait()
	return len(due), errors.Join(errs...)
}

// deliver makes one attempt of a claimed delivery and records its outcome.
func (d *Dispatcher) deliver(ctx context.Context, dl *oriel.WebhookDelivery) error {
	status, err := d.post(ctx, dl)
	if err != nil && ctx.Err() != nil {
		return nil // abandoned: the lease runs out and the delivery comes back
	}
	log := d.log().With("event_id", dl.Event.ID, "event_type", dl.Event.Type, "endpoint_id", dl.EndpointID,
		"delivery_id", dl.ID, "attempt", dl.Attempts+1, "status", status)
	var lastError string
	var next time.Time
	switch {
	case err == nil:
		log.Info("webhook delivered")
	case errors.Is(err, ErrInvalidSecret):
		lastError = "the endpoint's secret is unusable; create the endpoint again"
		log.Error("webhook not sent: the endpoint's secret is unusable")
	default:
		lastError = describe(err)
		next = nextAttempt(dl.Event.CreatedAt, dl.Attempts, d.now())
		if next.IsZero() {
			log.Warn("webhook delivery failed; giving up", "error", err.Error())
		} else {
			log.Warn("webhook delivery failed; will retry", "error", err.Error(), "next_attempt_at", next)
		}
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	ferr := d.Store.FinishWebhookDelivery(fctx, dl.ID, err == nil, lastError, next)
	if oriel.ErrorKind(ferr) == oriel.ENOTFOUND {
		return nil // the endpoint was deleted meanwhile, and its deliveries with it
	}
	return ferr
}

// post sends one attempt of dl and returns the response status (zero when
// there was none) and, unless the endpoint answered 2xx, an error. A
// transport error is stripped of the URL, which may hold a token.
func (d *Dispatcher) post(ctx context.Context, dl *oriel.WebhookDelivery) (int, error) {
	body, header, err := message(dl, d.now())
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.lease()/2)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.URL, bytes.NewReader(body))
	if err != nil {
		return 0, errInvalidURL
	}
	req.Header = header
	resp, err := d.client().Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, statusError{resp.StatusCode}
	}
	return resp.StatusCode, nil
}

// client returns HTTPClient without redirects, or the dispatcher's own
// client for Destinations, made once so that its passes share connections.
func (d *Dispatcher) client() *http.Client {
	if d.HTTPClient != nil {
		return withoutRedirects(d.HTTPClient)
	}
	d.defaultClient.Do(func() { d.ownClient = NewHTTPClient(d.Destinations) })
	return d.ownClient
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

func (d *Dispatcher) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

func (d *Dispatcher) interval() time.Duration { return orDefault(d.Interval, DefaultInterval) }
func (d *Dispatcher) lease() time.Duration    { return orDefault(d.Lease, DefaultLease) }
func (d *Dispatcher) batch() int              { return orDefault(d.Batch, DefaultBatch) }

// orDefault returns v, or def when v is not positive.
func orDefault[T time.Duration | int](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
