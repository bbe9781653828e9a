package server

import (
	"net/http"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
)

// userCreate is the body of POST /v1/customers/{customer}/users.
type userCreate struct {
	ExternalID string     `json:"external_id"`
	Name       string     `json:"name"`
	Email      string     `json:"email"`
	Role       oriel.Role `json:"role"`
	// Employment data (see docs/benefits.md).
	HireDate         oriel.Date `json:"hire_date"`
	EmploymentStatus string     `json:"employment_status"`
	DateOfBirth      oriel.Date `json:"date_of_birth"`
	WorkState        string     `json:"work_state"`
}

func (u *userCreate) validate() error {
	if u.Role == "" {
		u.Role = oriel.RoleMember
	}
	if u.EmploymentStatus == "" {
		u.EmploymentStatus = benefits.EmploymentActive
	}
	return firstError(
		checkUserExternalID(u.ExternalID),
		checkName(u.Name),
		checkEmail(u.Email),
		checkRole(u.Role),
		checkOptionalDate("hire_date", u.HireDate),
		checkEmploymentStatus(u.EmploymentStatus),
		checkOptionalDate("date_of_birth", u.DateOfBirth),
		checkWorkState(u.WorkState),
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
		ifSet(p.HireDate, func(d oriel.Date) error { return checkOptionalDate("hire_date", d) }),
		ifSet(p.EmploymentStatus, checkEmploymentStatus),
		ifSet(p.DateOfBirth, func(d oriel.Date) error { return checkOptionalDate("date_of_birth", d) }),
		ifSet(p.WorkState, checkWorkState),
	)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var in userCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	// The store resolves CustomerID, which may be an "E"-prefixed external id.
	u := &oriel.User{VendorID: vendorOf(r), CustomerID: r.PathValue("customer"), ExternalID: in.ExternalID, Name: in.Name, Email: in.Email, Role: in.Role,
		HireDate: in.HireDate, EmploymentStatus: in.EmploymentStatus, DateOfBirth: in.DateOfBirth, WorkState: in.WorkState}
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
