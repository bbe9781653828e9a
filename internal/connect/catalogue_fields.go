package connect

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/orielhq/oriel"
)

// Longest accepted field values: secrets (keys, tokens) may be long; other
// values are names, hosts and identifiers.
const (
	maxSecretLen = 4096
	maxValueLen  = 255
)

// ValidateFields checks values, as entered by a user for p's form fields
// (connection config and, for api_key and basic, credentials), and returns a
// message per field in error, or nil when all are valid. Absent values take
// the field's default. Messages name the field, never repeat its value, and
// can be shown next to the field as they are.
func (p *Provider) ValidateFields(values map[string]string) map[string]string {
	var problems map[string]string
	add := func(name, msg string) {
		if problems == nil {
			problems = map[string]string{}
		}
		problems[name] = msg
	}
	for name := range values {
		if p.field(name) == nil {
			add(name, "This is not a field of "+p.DisplayName+".")
		}
	}
	for _, f := range p.FormFields() {
		if msg := f.problem(f.value(values)); msg != "" {
			add(f.Name, msg)
		}
	}
	return problems
}

// fieldsError is the error for a non-empty result of ValidateFields.
func fieldsError(problems map[string]string) error {
	names := slices.Sorted(maps.Keys(problems))
	return oriel.Errorf(oriel.EUNPROCESSABLE, CodeFieldsInvalid, "invalid fields: %s", strings.Join(names, ", "))
}

// value returns f's value among values, or f's default when it is absent or empty.
func (f *Field) value(values map[string]string) string {
	if v := values[f.Name]; v != "" {
		return v
	}
	return f.Default
}

// problem returns what is wrong with v as a value of f, or "".
func (f *Field) problem(v string) string {
	switch {
	case v == "" && f.Optional:
		return ""
	case v == "":
		return f.Label + " is required."
	case len(v) > f.maxLen():
		return fmt.Sprintf("%s is too long (at most %d characters).", f.Label, f.maxLen())
	case !utf8.ValidString(v) || hasControl(v):
		return f.Label + " contains a line break or another invisible character."
	case strings.TrimSpace(v) != v:
		return f.Label + " starts or ends with a space."
	case len(f.Options) > 0 && !slices.ContainsFunc(f.Options, func(o Option) bool { return o.Value == v }):
		labels := make([]string, len(f.Options))
		for i, o := range f.Options {
			labels[i] = o.Label
		}
		return fmt.Sprintf("Choose a %s: %s.", f.Label, strings.Join(labels, ", "))
	case f.re != nil && !f.re.MatchString(v):
		if f.Placeholder != "" {
			return fmt.Sprintf("%s is not in the expected format, such as %s.", f.Label, f.Placeholder)
		}
		return f.Label + " is not in the expected format."
	}
	return ""
}

// maxLen is the longest value f accepts.
func (f *Field) maxLen() int {
	if f.Secret {
		return maxSecretLen
	}
	return maxValueLen
}
