package server

import (
	"net/http"

	"github.com/orielhq/oriel"
)

// userCreate is the body of POST /v1/customers/{customer}/users.
type userCreate struct {
	ExternalID string     `json:"external_id"`
	Name       string     `json:"name"`
	Email      string     `json:"email"`
	Role       oriel.Role `json:"role"`
}

func (u *userCreate) validate() error {
	if u.Role == "" {
		u.Role = oriel.RoleMember
	}
	return firstError(
		checkUserExternalID(u.ExternalID),
		checkName(u.Name),
		checkEmail(u.Email),
		checkRole(u.Role),
	)
}

// userPatch is the body of PATCH /v1/customers/{customer}/users/{user}.
type userPatch oriel.UserUpdate

func (p *userPatch) validate() error {
	return firstError(
		ifSet(p.ExternalID, checkUserExternalID),
		ifSet(p.Name, checkName),
		ifSet(p.Email, checkEmail),
		ifSet(p.Role, checkRole),
	)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var in userCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	// The store resolves CustomerID, which may be an "E"-prefixed external id.
	u := &oriel.User{VendorID: vendorOf(r), CustomerID: r.PathValue("customer"), ExternalID: in.ExternalID, Name: in.Name, Email: in.Email, Role: in.Role}
	err := s.store.CreateUser(r.Context(), u)
	return respond(w, http.StatusCreated, u, err)
}

func (s *Server) listUsers(r *http.Request, p oriel.Page) ([]*oriel.User, bool, error) {
	return s.store.ListUsers(r.Context(), vendorOf(r), r.PathValue("customer"), p)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.store.User(r.Context(), vendorOf(r), r.PathValue("customer"), r.PathValue("user"))
	return respond(w, http.StatusOK, u, err)
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	var p userPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	u, err := s.store.UpdateUser(r.Context(), vendorOf(r), r.PathValue("customer"), r.PathValue("user"), oriel.UserUpdate(p))
	return respond(w, http.StatusOK, u, err)
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteUser(r.Context(), vendorOf(r), r.PathValue("customer"), r.PathValue("user")))
}
