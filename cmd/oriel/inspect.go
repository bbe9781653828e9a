package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

// inspection is the part of POST /v1/direct-links/inspect's answer that
// `oriel link inspect` prints.
type inspection struct {
	Link struct {
		Kind         string `json:"kind"`
		Embedded     bool   `json:"embedded"`
		ConnectionID string `json:"connection_id"`
		Path         string `json:"path"`
	} `json:"link"`
	Header     json.RawMessage `json:"header"`
	Claims     json.RawMessage `json:"claims"`
	MatchedKey *struct {
		KID, Algorithm, Fingerprint string
	} `json:"matched_key"`
	KeyError string `json:"key_error"`
	Checks   []struct {
		Name, Result, Code, Message string
	} `json:"checks"`
	Opens   bool `json:"opens"`
	Refusal *struct {
		Check, Code, Message string
		Status               int
		ParentOrigin         string `json:"parent_origin"`
	} `json:"refusal"`
}

// cmdLinkInspect asks the server why a direct link is refused.
func cmdLinkInspect(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	f := newCommandFlags("oriel link inspect", "[flags] URL-OR-TOKEN",
		`Asks Oriel why a direct link is refused, without a browser and without
using the link up (POST /v1/direct-links/inspect): the decoded token, the key
that verified it (or why none did), every check in order with its result, and
the first refusal's code and fix. Give the whole link, as your page uses it,
or a bare dl_token. The server is the link's own, else --base-url, else
ORIEL_PUBLIC_URL. Exits 1 when the link would be refused.`)
	f.positional = 1
	var apiKey, baseURL string
	var asJSON bool
	f.StringVar(&apiKey, "api-key", "", "the vendor API `key` (sk_…) of the link's vendor")
	f.bindEnv("api-key", "ORIEL_API_KEY")
	f.StringVar(&baseURL, "base-url", "", "the Oriel deployment's `URL` (default: the link's scheme and host)")
	f.BoolVar(&asJSON, "json", false, "print the server's JSON answer")
	if err := f.parse(args, env, stdout); err != nil {
		return err
	}
	if apiKey == "" {
		return f.usageErrorf("give --api-key (or set ORIEL_API_KEY)")
	}
	link := strings.TrimSpace(f.Args()[0])
	body := map[string]string{"token": link}
	if u, err := url.Parse(link); err == nil && strings.Contains(link, "/direct_link/") {
		body = map[string]string{"url": link}
		if baseURL == "" && u.Scheme != "" && u.Host != "" {
			baseURL = u.Scheme + "://" + u.Host
		}
	}
	if baseURL == "" {
		baseURL = env("ORIEL_PUBLIC_URL")
	}
	if baseURL == "" {
		return f.usageErrorf("a bare token needs --base-url URL (or ORIEL_PUBLIC_URL)")
	}
	raw, err := postInspect(ctx, strings.TrimSuffix(baseURL, "/"), apiKey, body)
	if err != nil {
		return err
	}
	var in inspection
	if err := json.Unmarshal(raw, &in); err != nil {
		return fmt.Errorf("the server's answer is not an inspection: %w", err)
	}
	if asJSON {
		var pretty bytes.Buffer
		json.Indent(&pretty, raw, "", "  ")
		fmt.Fprintln(stdout, pretty.String())
	} else {
		printInspection(stdout, &in)
	}
	if !in.Opens {
		return fmt.Errorf("the link is refused: %d %s", in.Refusal.Status, in.Refusal.Code)
	}
	return nil
}

// postInspect sends body to baseURL's inspect endpoint and returns the 200
// answer; any other answer is an error carrying its code and message.
func postInspect(ctx context.Context, baseURL, apiKey string, body any) ([]byte, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/direct-links/inspect", bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w", baseURL, err)
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask %s: %w", baseURL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read the answer of %s: %w", baseURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		var problem struct{ Code, Detail string }
		json.Unmarshal(raw, &problem)
		return nil, fmt.Errorf("%s answered %d %s: %s", baseURL, resp.StatusCode, problem.Code, problem.Detail)
	}
	return raw, nil
}

// printInspection writes in for a person.
func printInspection(w io.Writer, in *inspection) {
	kind := map[string]string{"connection": "connection widget " + in.Link.ConnectionID, "app": "Fully Embedded workspace " + in.Link.Path,
		"sso": "White-label SSO to " + in.Link.Path, "employee-dashboard": "employee dashboard", "token": "bare token, inspected as an embedded link"}[in.Link.Kind]
	fmt.Fprintf(w, "Link:    %s\nHeader:  %s\nClaims:  %s\n", kind, orNone(in.Header), orNone(in.Claims))
	switch {
	case in.MatchedKey != nil:
		kid := "without a kid"
		if in.MatchedKey.KID != "" {
			kid = fmt.Sprintf("kid %q", in.MatchedKey.KID)
		}
		fmt.Fprintf(w, "Key:     the %s key %s (fingerprint %s) verified the signature\n", in.MatchedKey.Algorithm, kid, in.MatchedKey.Fingerprint)
	case in.KeyError != "":
		fmt.Fprintf(w, "Key:     none verified the signature: %s\n", in.KeyError)
	}
	fmt.Fprintln(w, "\nChecks, in order:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range in.Checks {
		result := map[string]string{"pass": "ok", "fail": "REFUSED", "not_run": "-"}[c.Result]
		fmt.Fprintln(tw, strings.TrimRight(fmt.Sprintf("  %s\t%s\t%s", c.Name, result, c.Code), "\t"))
	}
	tw.Flush()
	if in.Opens {
		fmt.Fprintln(w, "\nThe link opens. Inspecting it did not use it up.")
		return
	}
	r := in.Refusal
	fmt.Fprintf(w, "\nRefused at %q: %d %s\nFix:     %s\n", r.Check, r.Status, r.Code, r.Message)
	switch {
	case !in.Link.Embedded:
	case r.ParentOrigin == "":
		fmt.Fprintln(w, "In your page the iframe stays empty and posts nothing: the refusal comes before the parent origin is verified.")
	default:
		fmt.Fprintf(w, "In your page the error shows in the iframe and is posted to %s as an error message.\n", r.ParentOrigin)
	}
}

// orNone returns JSON as text, or "(not JSON)" for nil.
func orNone(j json.RawMessage) string {
	if j == nil {
		return "(not base64url JSON)"
	}
	return string(j)
}
