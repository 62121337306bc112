package ui

import (
	"errors"

	"fyne.io/fyne/v2/lang"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/data/hetu"
	"psopdesk/sync/client"
	"psopdesk/sync/wire"
	"psopdesk/ui/print"
)

// DemoError is a demo server (the reference organizer started inside
// PSOP Desk) that could not be started. Err is the detail, for the log.
type DemoError struct{ Err error }

// Error is English, for logs.
func (e *DemoError) Error() string {
	if e.Err == nil {
		return "demo server could not be started"
	}
	return "demo server could not be started: " + e.Err.Error()
}

// Unwrap gives the detail.
func (e *DemoError) Unwrap() error { return e.Err }

// Sentence turns err into what the user reads, in the language of lang
// (UseLanguage): what happened and what to do. It knows the errors
// of the layers below by their types and codes: *DemoError,
// *client.KeyFileError (its file path is shown, never its contents),
// *client.Error by Kind, *data.Error by Code (customer number rules and
// the refusal codes the cache gives at once), *hetu.Error by Reason,
// cache.ErrDamaged, cache.ErrLocked, cache.ErrNotFound, cache.ErrIncomplete, data.ErrDateFormat,
// data.ErrNoSuchDay and data.ErrEndBeforeStart. Any other error gets a
// general sentence; its text, which may be English or hold personal
// data, is for the log only. nil gives "".
func Sentence(err error) string {
	if err == nil {
		return ""
	}
	var (
		demo *DemoError
		key  *client.KeyFileError
		se   *client.Error
		de   *data.Error
		he   *hetu.Error
		fe   *print.FileError
		surl *client.ServerURLError
		ring *client.KeyRingError
		dmg  *cache.DamagedError
	)
	switch {
	case errors.As(err, &dmg) && dmg.Outbox(): // before *client.Error, which may wrap it
		return lang.L("The file of the changes waiting to be sent is damaged. Close PSOP Desk and start it again: the changes that can still be read are kept.")
	case errors.Is(err, cache.ErrDamaged):
		return lang.L("The local cache file on this computer is damaged, so its data cannot be read. Rebuild the cache: the data is fetched again from the server. Changes waiting to be sent are kept and sent.")
	case errors.As(err, &demo):
		why := lang.L("its data could not be opened in the demo folder. Close other PSOP Desk windows and try again, or start the demo over with -demo-reset.")
		return lang.L("The demo server could not be started: {{.Err}}", map[string]any{"Err": why})
	case errors.As(err, &key):
		return keyFileSentence(key)
	case errors.As(err, &surl):
		return serverURLSentence(surl)
	case errors.As(err, &ring):
		return keyRingSentence(ring)
	case errors.As(err, &se):
		return syncSentence(se)
	case errors.As(err, &de):
		return dataSentence(de, "")
	case errors.As(err, &he):
		return hetuSentence(he)
	case errors.As(err, &fe):
		return lang.L("The file {{.Path}} could not be saved. Check that the folder exists, that you may write in it and that the disk has free space.",
			map[string]any{"Path": fe.Path})
	case errors.Is(err, cache.ErrIncomplete):
		return lang.L("The local cache is not complete: the organizer's data has not all been fetched yet, so sums made now would be wrong. Sync first (Sync now, or psopdesk sync), then try again.")
	case errors.Is(err, cache.ErrLocked):
		return lang.L("PSOP Desk is already open in another window and uses the same data. Switch to that window, or close it and start PSOP Desk again.")
	case errors.Is(err, cache.ErrNotFound):
		return lang.L("The data was not found in the local cache. The customer may no longer be visible to you; search again.")
	case errors.Is(err, data.ErrNoSuchDay):
		return lang.L("The day is not in the calendar. Check the day and the month.")
	case errors.Is(err, data.ErrDateFormat):
		return lang.L("The date is not in the right form. Write it as d.m.yyyy, for example 30.11.2026.")
	case errors.Is(err, data.ErrEndBeforeStart):
		return lang.L("The end date is before the start date. Correct the period.")
	}
	return lang.L("Something went wrong. Try again; if it keeps happening, contact support. The details are in the log.")
}

// syncSentence explains a failed sync by its kind.
func syncSentence(e *client.Error) string {
	switch e.Kind {
	case client.Unreachable:
		return lang.L("The server cannot be reached. Check the network connection and try again; the data in the local cache is kept.")
	case client.Unauthorized:
		return lang.L("The server did not accept the API key. Check the key, or create a new key in the organizer's system. The data in the local cache is kept.")
	case client.BadReply:
		return lang.L("The server's reply was invalid and was not used. Try again later; if the fault persists, contact the organizer's support. The data in the local cache is kept.")
	case client.Server:
		if st := e.Status(); st != 0 {
			return lang.L("The server has a fault (HTTP {{.Status}}). Try again later. The data in the local cache is kept.",
				map[string]any{"Status": st})
		}
		return lang.L("The server has a fault. Try again later. The data in the local cache is kept.")
	case client.Local:
		return lang.L("The local cache could not be written. Check that the disk has free space, and try again.")
	case client.NoAnswer:
		return lang.L("The server did not answer in time. It may be overloaded or down; try again later. The data in the local cache is kept.")
	case client.Busy:
		return lang.L("The server is busy and asked to wait. PSOP Desk tries again by itself shortly; the data in the local cache is kept.")
	case client.Canceled:
		return lang.L("The sync was interrupted. The data already fetched is kept; the next sync continues from there.")
	}
	return lang.L("The sync failed. Try again. The data in the local cache is kept.")
}

// keyFileSentence explains an API key file that gives no key. It names the
// file, never its contents.
func keyFileSentence(e *client.KeyFileError) string {
	p := map[string]any{"Path": e.Path}
	switch e.Code {
	case client.KeyFileUnreadable:
		return lang.L("The API key file {{.Path}} cannot be read. Check that the file exists and that you may read it.", p)
	case client.KeyFileBadKey:
		return lang.L("The key in the API key file {{.Path}} is not valid: it is empty or has spaces in it. Copy the key into the file again.", p)
	case client.KeyFileLongLine:
		return lang.L("The API key file {{.Path}} has a line too long to be a key. Check that you gave the right file.", p)
	case client.KeyFileNoProvider:
		return lang.L("The API key file {{.Path}} has no key for this service provider. Add the provider's key to the file.", p)
	case client.KeyFileEmpty:
		return lang.L("The API key file {{.Path}} holds no key. Copy the API key made in the organizer's system into it.", p)
	}
	return lang.L("The API key file {{.Path}} gives no key. Check the file.", p)
}

// dataSentence explains a domain rule's refusal by its code. number, when
// known, is the customer number of a clash; it is shown, whose it is never.
func dataSentence(e *data.Error, number string) string {
	switch e.Code {
	case data.CodeCustomerNumberEmpty:
		return lang.L("The customer number is empty. Type a number; to take the customer's number away, remove it instead.")
	case data.CodeCustomerNumberTooLong:
		return lang.L("The customer number is longer than {{.Max}} characters. Shorten it.",
			map[string]any{"Max": data.CustomerNumberMaxLen})
	case data.CodeCustomerNumberChars:
		return lang.L("A customer number may hold only letters, digits and the characters - / . _ (for example A-1001). Remove the other characters.")
	case data.CodeCustomerNumberHetu:
		return lang.L("A personal identity code cannot be a customer number: the number is printed on invoices instead of identifying data. Choose another number.")
	case data.CodeTextHetu:
		return lang.L("The text has a personal identity code in it. Remove it: refer to the customer by name or customer number instead.")
	case string(wire.CodeCustomerNumberTaken):
		if number != "" {
			return lang.L("The customer number {{.Number}} is already in use by another customer. Choose another number.",
				map[string]any{"Number": number})
		}
		return lang.L("The customer number is already in use by another customer. Choose another number.")
	case string(wire.CodeNotFound):
		return lang.L("The customer is no longer visible to you, so the change cannot be made. Search for the customer again.")
	case data.CodeEventLocked:
		return lang.L("The settlement day has passed: the event is locked and can no longer be changed. Report the error to the organizer instead (Report an error).")
	case data.CodeEventStatus:
		return lang.L("The event's status does not allow this change.")
	case data.CodeEventVersion:
		return lang.L("The event has been changed elsewhere: check the data and make the change again.")
	case data.CodeEventQuantity:
		return lang.L("The quantity must be more than zero.")
	case data.CodeEventTimes:
		return lang.L("Give the start and end times as 9.00 or 09:00; the end must be after the start.")
	case data.CodeEventOutsideReservation:
		return lang.L("The date is outside the service reservation or the validity of the grant. Check the date.")
	case data.CodeEventNoteTooLong:
		return lang.L("The note is longer than {{.Max}} characters. Shorten it.", map[string]any{"Max": data.EventNoteMaxLen})
	case data.CodeCreditNotLocked:
		return lang.L("The event is not locked yet: correct or delete it yourself.")
	case data.CodeCreditReason:
		return lang.L("Choose the reason of the error.")
	case data.CodeCreditExplanation:
		return lang.L("Write an explanation: what is wrong in the event.")
	case data.CodeCreditPending:
		return lang.L("An error in this event has already been reported and the organizer has not yet handled it.")
	case data.CodeEventPriceMissing:
		return lang.L("Your price list has no price for the service on that date, so the event cannot be priced. Check the date or update the price list.")
	}
	return lang.L("Something went wrong. Try again; if it keeps happening, contact support. The details are in the log.")
}

// numberSentence is Sentence for the refusal of a customer number the user
// typed: a clash names the number.
func numberSentence(err error, number string) string {
	var de *data.Error
	if errors.As(err, &de) {
		return dataSentence(de, number)
	}
	return Sentence(err)
}

// hetuSentence explains why a text is not a henkilötunnus, never
// repeating it.
func hetuSentence(e *hetu.Error) string {
	switch e.Reason {
	case hetu.ReasonCentury:
		return lang.L("The century sign of the personal identity code is not valid: the seventh character must be +, -, Y, X, W, V, U, A, B, C, D, E or F.")
	case hetu.ReasonDate:
		return lang.L("The birth date in the personal identity code does not exist: check the day, the month and the year.")
	case hetu.ReasonIndividual:
		return lang.L("The individual number of the personal identity code is not valid: check the code.")
	case hetu.ReasonChecksum:
		return lang.L("The check character of the personal identity code does not match: check the code.")
	}
	return lang.L("The personal identity code is not in the right form: it has 11 characters, the birth date (ddmmyy), the century sign, three digits and the check character.")
}

// RefusalSentence explains a change the server refused (DOMAIN.md §8), in
// the language of lang: why, that it was not saved (the view shows the
// server's data again), and what to do. A customer-number clash names the
// number from the command, never who holds it.
func RefusalSentence(r cache.Refusal) string {
	a := r.Answer
	if isEventCommand(r.Command.Type) {
		return eventRefusalSentence(r)
	}
	switch a.Code {
	case wire.CodeCustomerNumberTaken:
		if n := r.Command.CustomerNumber; n != "" {
			return lang.L("The customer number {{.Number}} is already in use by another customer. The change was not saved: choose another number.",
				map[string]any{"Number": n})
		}
		return lang.L("The customer number is already in use by another customer. The change was not saved: choose another number.")
	case wire.CodeValidation:
		switch a.Reason {
		case data.CodeCustomerNumberEmpty, data.CodeCustomerNumberTooLong, data.CodeCustomerNumberChars, data.CodeCustomerNumberHetu:
			return lang.L("The server did not accept the change. {{.Why}}",
				map[string]any{"Why": dataSentence(&data.Error{Code: a.Reason}, "")})
		case wire.ReasonIDReused:
			return lang.L("The server did not accept the change because its identifier was already used for another change. Make the change again.")
		case wire.ReasonMalformed:
			return lang.L("The server did not understand the change, so it was not saved. Make the change again; if it keeps happening, contact the organizer's support.")
		case wire.ReasonUnknownType:
			return lang.L("The server does not know this kind of change, so it was not saved. PSOP Desk may be of another version than the server: contact the organizer's support.")
		}
		return lang.L("The server did not accept the data of the change, so it was not saved. Check the data and make the change again.")
	case wire.CodeNotFound:
		return lang.L("The customer is no longer visible to you, so the change was not saved. Search for the customer again; if they are not found, you no longer have access to their data.")
	case wire.CodeForbidden:
		return lang.L("You may not make this change, so it was not saved. Ask your service provider's main user for the right.")
	case wire.CodeSettlementLocked:
		return lang.L("The settlement day has passed, so the data can no longer be changed and the change was not saved. Ask the organizer for a credit.")
	case wire.CodeVersionConflict:
		return lang.L("Someone else changed the same data first, so your change was not saved. The server's data is shown now: check it and make the change again if needed.")
	}
	return lang.L("The server refused the change, so it was not saved. Check the data and make the change again.")
}

// eventRefusalSentence is RefusalSentence for a change of an event (new,
// edit, delete, credit request): the change was not saved, the events show
// the server's data again.
func eventRefusalSentence(r cache.Refusal) string {
	a := r.Answer
	switch a.Code {
	case wire.CodeVersionConflict:
		return lang.L("The event has been changed elsewhere: check the data and make the change again.")
	case wire.CodeSettlementLocked:
		return lang.L("The event is locked: the settlement day has passed, so the change was not saved. Report the error to the organizer instead (Report an error).")
	case wire.CodeForbidden:
		return lang.L("The event's status does not allow the change, so it was not saved. The event's status is shown as the server has it.")
	case wire.CodeNotFound:
		return lang.L("The event or its service reservation is no longer on the server, so the change was not saved.")
	case wire.CodeValidation:
		switch a.Reason {
		case data.CodeEventQuantity, data.CodeEventTimes, data.CodeEventOutsideReservation, data.CodeEventNoteTooLong,
			data.CodeCreditNotLocked, data.CodeCreditReason, data.CodeCreditExplanation, data.CodeCreditPending, data.CodeTextHetu,
			data.CodeEventStatus, data.CodeEventPriceMissing:
			return lang.L("The server did not accept the change of the event. {{.Why}}",
				map[string]any{"Why": dataSentence(&data.Error{Code: a.Reason}, "")})
		case wire.ReasonIDReused:
			return lang.L("The server did not accept the change because its identifier was already used for another change. Make the change again.")
		case wire.ReasonMalformed:
			return lang.L("The server did not understand the change, so it was not saved. Make the change again; if it keeps happening, contact the organizer's support.")
		case wire.ReasonUnknownType:
			return lang.L("The server does not know this kind of change, so it was not saved. PSOP Desk may be of another version than the server: contact the organizer's support.")
		}
		return lang.L("The server did not accept the data of the event, so the change was not saved. Check the data and make the change again.")
	}
	return lang.L("The server refused the change, so it was not saved. Check the data and make the change again.")
}
