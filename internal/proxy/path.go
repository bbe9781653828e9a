package proxy

import (
	"net/url"
	"strings"

	"github.com/orielhq/oriel"
)

// maxPathBytes bounds the path a vendor appends to the API base URL.
const maxPathBytes = 4096

// Target returns the URL a proxied request goes to: the API base URL
// followed by path, the request path after ".../proxy/" exactly as it was
// sent (percent-escapes included), and the vendor's raw query. The path
// can never leave the base URL: it is refused (CodePathInvalid) when it
//
//   - holds a "." or ".." segment, raw or percent-encoded, including one
//     hidden behind an encoded slash ("..%2F"), or an empty segment ("//",
//     a leading "/"), which some servers collapse;
//   - holds a backslash, a control character, a space or "#", raw or
//     encoded, or an encoded "%" (double encoding such as %252e%252e);
//   - holds an invalid percent-escape;
//   - starts with a segment holding ":" or "@", which could be read as a
//     scheme or user info ("https:", "evil.example@");
//   - is longer than 4096 bytes.
//
// The URL is built from parts, never by parsing a joined string, and is
// checked again to have the base's scheme, host and path as its prefix.
func Target(base *url.URL, path, rawQuery string) (*url.URL, error) {
	decoded, err := checkPath(path)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(rawQuery, "# \\") || strings.ContainsFunc(rawQuery, isControl) {
		return nil, pathError("the query string holds a space, backslash, # or control character")
	}
	basePath := strings.TrimSuffix(base.Path, "/")
	u := &url.URL{
		Scheme:   base.Scheme,
		Host:     base.Host,
		Path:     basePath + "/" + decoded,
		RawPath:  strings.TrimSuffix(base.EscapedPath(), "/") + "/" + path,
		RawQuery: rawQuery,
	}
	if u.EscapedPath() != u.RawPath || !strings.HasPrefix(u.Path, basePath+"/") || u.Host != base.Host || u.User != nil {
		return nil, pathError("the path does not stay under the provider's API base URL")
	}
	return u, nil
}

// checkPath checks a proxied path (see Target) and returns it decoded.
func checkPath(path string) (string, error) {
	if len(path) > maxPathBytes {
		return "", pathError("the path is longer than 4096 bytes")
	}
	if strings.ContainsAny(path, "\\# ") || strings.ContainsFunc(path, isControl) {
		return "", pathError("the path holds a backslash, space, # or control character")
	}
	segments := strings.Split(path, "/")
	if first := segments[0]; strings.ContainsAny(first, ":@") || strings.Contains(strings.ToLower(first), "%40") || strings.Contains(strings.ToLower(first), "%3a") {
		return "", pathError("the path's first segment holds : or @, which could name a scheme or user")
	}
	for i, seg := range segments {
		if seg == "" && i != len(segments)-1 {
			return "", pathError("the path holds an empty segment (// or a leading /)")
		}
		plain, err := url.PathUnescape(seg)
		if err != nil {
			return "", pathError("the path holds an invalid percent-escape")
		}
		if strings.ContainsAny(plain, "\\#%") || strings.ContainsFunc(plain, isControl) {
			return "", pathError("the path holds an encoded backslash, #, % or control character")
		}
		for _, part := range strings.Split(plain, "/") { // an encoded slash splits too
			if part == "." || part == ".." {
				return "", pathError("the path holds a . or .. segment")
			}
		}
	}
	decoded, _ := url.PathUnescape(path) // each segment unescaped above
	return decoded, nil
}

// isControl reports whether r is a control character or a space-like byte
// that no request path should hold.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// pathError is the error of a path that would leave the API base URL.
func pathError(why string) error {
	return oriel.Errorf(oriel.EINVALID, CodePathInvalid,
		"%s; send the provider API's path relative to its base URL, such as v1/contacts", why)
}
