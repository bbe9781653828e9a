// Package web holds Oriel's pages: html/template templates and the static
// assets they load (one stylesheet, one small widget script), all embedded
// in the binary and parsed once at start.
//
// Every page shares one shell (templates/shell.html): the stylesheet, the
// widget script with the response's CSP nonce, and the page's boot data as
// attributes of <body>, escaped by html/template. The widget script
// (static/widget.js) strips dl_token from the address bar before anything
// else, keeps the session token in memory, and talks to the parent window
// only at the verified origin. Pages carry no inline script or style and no
// inline event handler, so a strict Content-Security-Policy applies.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds each page's template set: the shell plus the page's file.
var pages = parsePages()

// parsePages parses the shell, with the shared parts (_*.html), once per
// page file, so that every page may define the blocks the shell leaves open
// ("title", "boot", "scripts", "content").
func parsePages() map[string]*template.Template {
	shell := template.New("shell.html").Funcs(template.FuncMap{"section": sectionOf(nil)})
	template.Must(shell.Parse(readTemplate("shell.html")))
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	var pageNames []string
	for _, name := range names {
		file := strings.TrimPrefix(name, "templates/")
		switch {
		case file == "shell.html":
		case strings.HasPrefix(file, "_"):
			template.Must(shell.Parse(readTemplate(file)))
		default:
			pageNames = append(pageNames, strings.TrimSuffix(file, ".html"))
		}
	}
	out := map[string]*template.Template{}
	for _, page := range pageNames {
		t := template.Must(shell.Clone())
		t.Funcs(template.FuncMap{"section": sectionOf(t)})
		out[page] = template.Must(t.Parse(readTemplate(page + ".html")))
	}
	return out
}

// sectionOf returns the template function "section": {{section key .}}
// renders the workspace section "section-{key}" of t with data, for the
// sections a page lists at run time.
func sectionOf(t *template.Template) func(key string, data any) (template.HTML, error) {
	return func(key string, data any) (template.HTML, error) {
		var b strings.Builder
		err := t.ExecuteTemplate(&b, "section-"+key, data)
		return template.HTML(b.String()), err
	}
}

// assetRef is how a template names a static asset: [[asset "name"]].
var assetRef = regexp.MustCompile(`\[\[asset "([^"]+)"\]\]`)

// readTemplate returns a template's source with every asset reference
// replaced by the asset's versioned URL, so that rendering spends nothing on
// them. An unknown asset panics at start (and in every test).
func readTemplate(name string) string {
	src, err := templateFiles.ReadFile("templates/" + name)
	if err != nil {
		panic(err)
	}
	return assetRef.ReplaceAllStringFunc(string(src), func(ref string) string {
		url, err := assetURL(assetRef.FindStringSubmatch(ref)[1])
		if err != nil {
			panic(err)
		}
		return url
	})
}

// Page is the data of one page; its type selects the template.
type Page interface {
	template() string
}

// buffers hold pages while they render; a page is a few KiB.
var buffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 16<<10)) }}

// Write renders page p and answers it with status as text/html. When
// rendering fails nothing is written, so the caller can still answer an
// error.
func Write(w http.ResponseWriter, status int, p Page) error {
	t, ok := pages[p.template()]
	if !ok {
		return fmt.Errorf("web: no template %q", p.template())
	}
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		buffers.Put(buf)
	}()
	if sp := asSkeletal(p); sp == nil || !writeSkeletal(buf, sp) {
		if err := t.ExecuteTemplate(buf, "shell", p); err != nil {
			return fmt.Errorf("web: render %s: %w", p.template(), err)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}
