package main

import (
	"context"
	"fmt"
	"io"

	"github.com/orielhq/oriel/directlink"
)

// cmdLink prints a signed direct-link URL; `oriel link inspect` asks why a
// link is refused.
func cmdLink(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "inspect" {
		return cmdLinkInspect(ctx, args[1:], env, stdout, stderr)
	}
	f := newCommandFlags("oriel link", "--key FILE --vendor ID --customer REF (--connection ID | --app PATH | --sso PATH | --employee-dashboard) [--base-url URL | --region NAME] [flags]",
		`Prints a direct-link URL with a fresh token: the connection widget
(--connection), the whole workspace framed (--app), a top-level sign-in
(--sso) or the employee dashboard of --user (--employee-dashboard). The Oriel deployment is --base-url, else the URL that --region names
in ORIEL_REGIONS (us=https://…,eu=https://…), else ORIEL_PUBLIC_URL.

'oriel link inspect URL-OR-TOKEN' asks the server why a link is refused,
without using it up; see 'oriel link inspect --help'.`)
	s := addSignerFlags(f)
	var connection, app, sso, baseURL, region string
	f.StringVar(&connection, "connection", "", "open the connection widget of this connection `id`")
	f.StringVar(&app, "app", "", "open the workspace, framed, at this `path` (for example /connections)")
	f.StringVar(&sso, "sso", "", "sign in at the top level and go to this `path`")
	employeeDashboard := f.Bool("employee-dashboard", false, "open the employee dashboard of --user")
	f.StringVar(&baseURL, "base-url", "", "the Oriel deployment's public `URL`")
	f.StringVar(&region, "region", "", "the `region` whose URL ORIEL_REGIONS gives (us, eu, sg, jp, au or your own)")
	if err := f.parse(args, env, stdout); err != nil {
		return err
	}
	var link directlink.Link
	n := 0
	for kind, asset := range map[directlink.Kind]string{directlink.KindConnection: connection, directlink.KindApp: app, directlink.KindSSO: sso} {
		if asset != "" {
			link.Kind, link.Asset = kind, asset
			n++
		}
	}
	if *employeeDashboard {
		link.Kind = directlink.KindEmployeeDashboard
		n++
	}
	if n != 1 {
		return f.usageErrorf("give exactly one of --connection, --app, --sso and --employee-dashboard")
	}
	base, err := linkBaseURL(f, baseURL, region, env)
	if err != nil {
		return err
	}
	signer, err := s.signer(f)
	if err != nil {
		return err
	}
	link.Customer, link.User, link.Origin = s.customer, s.user, s.origin
	u, err := signer.URL(base, link)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, u)
	return err
}

// linkBaseURL picks the deployment URL: --base-url, --region, then ORIEL_PUBLIC_URL.
func linkBaseURL(f *commandFlags, baseURL, region string, env func(string) string) (string, error) {
	switch {
	case baseURL != "" && region != "":
		return "", f.usageErrorf("give --base-url or --region, not both")
	case baseURL != "":
		return baseURL, nil
	case region != "":
		regions, err := directlink.ParseRegions(env("ORIEL_REGIONS"))
		if err != nil {
			return "", fmt.Errorf("ORIEL_REGIONS: %w", err)
		}
		return regions.BaseURL(region)
	case env("ORIEL_PUBLIC_URL") != "":
		return env("ORIEL_PUBLIC_URL"), nil
	}
	return "", f.usageErrorf("give --base-url URL or --region NAME (or set ORIEL_PUBLIC_URL)")
}
