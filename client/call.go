package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxCallResponseBytes bounds what Call reads of an answer: a page of the
// vendor API's largest lists fits many times over.
const maxCallResponseBytes = 16 << 20

// Call sends a request to Oriel's vendor API (/v1/…) with the API key: in,
// when not nil, as a JSON body; a 2xx answer's JSON body is decoded into
// out when out is not nil. Any other answer is an *Error with Oriel's
// error code (docs/errors.md) and its message. path may hold a query, as in
// "/v1/life-events?status=submitted".
//
//	var plan struct{ ID string `json:"id"` }
//	err := oriel.Call(ctx, "POST", "/v1/benefit-plans", newPlan, &plan)
//	if errors.Is(err, &client.Error{Code: "plan_invalid"}) { … }
func (c *Client) Call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("oriel: %w", err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+"/"+strings.TrimPrefix(path, "/"), body)
	if err != nil {
		return fmt.Errorf("oriel: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("oriel: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		if resp.Header.Get("Oriel-Error") == "" {
			return &Error{StatusCode: resp.StatusCode, Code: CodeUnexpectedResponse, Description: "the response is not one of Oriel's: " + resp.Status}
		}
		return problemFrom(resp, data)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxCallResponseBytes)).Decode(out); err != nil {
		return &Error{StatusCode: resp.StatusCode, Code: CodeUnexpectedResponse, Description: "the answer is not the JSON expected: " + err.Error()}
	}
	return nil
}
