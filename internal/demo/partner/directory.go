package partner

// Customer is one of Northwind's customer accounts. Northwind names its
// customers and users to Oriel by their external ids ("E" + ExternalID), so
// it never has to store Oriel's ids.
type Customer struct {
	ExternalID string
	Name       string
	Users      []*User
}

// User is someone who signs in to Northwind.
type User struct {
	ExternalID string
	Name       string
	Email      string
	Role       string // "admin" or "viewer", as registered with Oriel
	Customer   *Customer
}

// Ref is how direct links and access tokens name the user to Oriel.
func (u *User) Ref() string { return "E" + u.ExternalID }

// CustomerRef is how direct links and access tokens name the user's customer.
func (u *User) CustomerRef() string { return "E" + u.Customer.ExternalID }

// Initials are the user's avatar.
func (u *User) Initials() string {
	initials := ""
	for i, r := range u.Name {
		if i == 0 || u.Name[i-1] == ' ' {
			initials += string(r)
		}
	}
	return initials
}

// Directory is Northwind's own user database: two customers, each with an
// admin, who may connect and disconnect apps, and a viewer, who sees their
// status only. The demo's seed registers the same people with Oriel.
var Directory = directory(
	&Customer{ExternalID: "acme", Name: "Acme Inc.", Users: []*User{
		{ExternalID: "alice", Name: "Alice Adams", Email: "alice@acme.example", Role: "admin"},
		{ExternalID: "victor", Name: "Victor Vance", Email: "victor@acme.example", Role: "viewer"},
	}},
	&Customer{ExternalID: "globex", Name: "Globex Corporation", Users: []*User{
		{ExternalID: "grace", Name: "Grace Garcia", Email: "grace@globex.example", Role: "admin"},
		{ExternalID: "wes", Name: "Wes Walker", Email: "wes@globex.example", Role: "viewer"},
	}},
)

// directory links every user to its customer.
func directory(customers ...*Customer) []*Customer {
	for _, c := range customers {
		for _, u := range c.Users {
			u.Customer = c
		}
	}
	return customers
}

// lookupUser returns the user with the given external id.
func lookupUser(externalID string) (*User, bool) {
	for _, c := range Directory {
		for _, u := range c.Users {
			if u.ExternalID == externalID {
				return u, true
			}
		}
	}
	return nil, false
}

// defaultUser is who is signed in before anyone is chosen: Acme's admin.
func defaultUser() *User { return Directory[0].Users[0] }
