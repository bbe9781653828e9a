package partner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
)

// sessionCookie holds who is signed in to Northwind: a user's external id
// and an HMAC of it, so that nobody can sign in as someone else by editing
// the cookie. The demo has no passwords: the user switcher signs anyone in,
// as a real app's login page would after checking a password.
const sessionCookie = "northwind_user"

// sessions signs and reads the session cookie.
type sessions struct {
	key []byte
}

// current returns the signed-in user, or the default user when the cookie
// is missing or was not signed with this app's key.
func (s sessions) current(r *http.Request) *User {
	if c, err := r.Cookie(sessionCookie); err == nil {
		id, mac, ok := strings.Cut(c.Value, ".")
		if u, known := lookupUser(id); ok && known && hmac.Equal([]byte(mac), []byte(s.mac(id))) {
			return u
		}
	}
	return defaultUser()
}

// signIn makes u the signed-in user.
func (s sessions) signIn(w http.ResponseWriter, u *User) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: u.ExternalID + "." + s.mac(u.ExternalID), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// mac is the cookie's signature of a user id.
func (s sessions) mac(id string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("northwind session:" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// userView is a user as the pages' scripts see it.
type userView struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Initials string `json:"initials"`
	Role     string `json:"role"`
	Customer string `json:"customer"`
}

func viewUser(u *User) userView {
	return userView{ID: u.ExternalID, Name: u.Name, Initials: u.Initials(), Role: u.Role, Customer: u.Customer.Name}
}

// switchUser answers the user switcher (POST /session, form field "user").
// A script asking for JSON gets the new user and switches its widgets in
// place; a plain form post is redirected back to the page it came from.
func (a *app) switchUser(w http.ResponseWriter, r *http.Request) {
	u, ok := lookupUser(r.PostFormValue("user"))
	if !ok {
		http.Error(w, "no such user", http.StatusBadRequest)
		return
	}
	a.sessions.signIn(w, u)
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(viewUser(u))
		return
	}
	next := r.PostFormValue("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
