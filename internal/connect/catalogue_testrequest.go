package connect

import (
	"context"
	"net/http"
	"net/url"
	"slices"
)

// NewTestRequest returns the request that proves the api_key or basic
// credentials in values work (see TestRequest), or nil when p has none.
// values are first checked as by ValidateFields; if any is invalid the error
// is EUNPROCESSABLE with code CodeFieldsInvalid, naming the fields.
func (p *Provider) NewTestRequest(ctx context.Context, values map[string]string) (*http.Request, error) {
	t := p.TestRequest
	if t == nil {
		return nil, nil
	}
	if problems := p.ValidateFields(values); problems != nil {
		return nil, fieldsError(problems)
	}
	target, err := p.resolve(t.URL, values)
	if err != nil {
		return nil, err
	}
	fill := func(tmpl string) string {
		return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
			return p.field(m[1 : len(m)-1]).value(values)
		})
	}
	if len(t.Query) > 0 {
		q := url.Values{}
		for k, v := range t.Query {
			q.Set(k, fill(v))
		}
		target += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, t.Method, target, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range t.Headers {
		req.Header.Set(k, fill(v))
	}
	switch {
	case p.Kind == KindBasic:
		req.SetBasicAuth(fill("{username}"), fill("{password}"))
	case t.BasicAuth != nil:
		req.SetBasicAuth(fill(t.BasicAuth.Username), fill(t.BasicAuth.Password))
	}
	return req, nil
}

// Accepts reports whether a response status means the credentials work.
func (t *TestRequest) Accepts(status int) bool { return slices.Contains(t.ExpectStatus, status) }
