package server

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// openAPISpec is the OpenAPI 3.1 description of every route in routes.go.
//
//go:embed openapi.json
var openAPISpec []byte

// openAPIDocument returns the spec with its servers set to this deployment.
func openAPIDocument(publicURL, region string) []byte {
	var doc map[string]any
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		panic(fmt.Sprintf("server: embedded openapi.json is invalid: %v", err)) // caught by every test
	}
	if publicURL != "" {
		doc["servers"] = []map[string]string{{"url": publicURL, "description": "Oriel, region " + region}}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("server: cannot encode openapi.json: %v", err))
	}
	return out
}
