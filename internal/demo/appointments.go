package demo

import (
	"context"
	"net/http"
)

// appointmentTypes are what the demo's employees can book: a telehealth
// visit, also for a dependent, and a call with a benefits advisor, on
// weekdays from 9:00 to 17:00 in New York, offered to every customer.
func appointmentTypes() []map[string]any {
	var weekdays []map[string]string
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		weekdays = append(weekdays, map[string]string{"day": d, "start": "09:00", "end": "17:00"})
	}
	availability := map[string]any{"time_zone": "America/New_York", "weekly": weekdays}
	return []map[string]any{
		{
			"name": "Telehealth — primary care", "description": "A video visit with a primary-care clinician.",
			"duration_minutes": 20, "mode": "video", "who_may_book": "employee_or_dependent", "availability": availability,
			"questions": []map[string]any{
				{"id": "reason", "label": "What is the visit about?", "kind": "text", "required": true},
				{"id": "first_visit", "label": "Is this your first visit?", "kind": "yes_no"},
			},
		},
		{
			"name": "Benefits advisor call", "description": "Questions about your plans, costs or enrollment.",
			"duration_minutes": 30, "mode": "phone", "availability": availability,
			"questions": []map[string]any{{"id": "topic", "label": "What would you like to discuss?", "kind": "text"}},
		},
	}
}

// seedAppointmentTypes creates the appointment types the vendor lacks, by name.
func seedAppointmentTypes(ctx context.Context, api *vendorAPI) error {
	var existing listPage[struct {
		Name string `json:"name"`
	}]
	if err := api.call(ctx, http.MethodGet, "/v1/appointment-types?limit=100", nil, &existing); err != nil {
		return err
	}
	have := map[string]bool{}
	for _, t := range existing.Data {
		have[t.Name] = true
	}
	for _, t := range appointmentTypes() {
		if !have[t["name"].(string)] {
			if err := api.call(ctx, http.MethodPost, "/v1/appointment-types", t, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
