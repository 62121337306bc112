package data

// Error is a domain rule's refusal as a value: a stable Code that the UI
// and the CLI turn into a sentence in the user's language (and that the
// organizer sends as a refusal's reason), and an English Detail for logs.
// Neither ever holds personal data.
type Error struct {
	Code   string
	Detail string
}

// Error is "code: detail", for logs.
func (e *Error) Error() string { return e.Code + ": " + e.Detail }

// CodeTextHetu: a free text (an event's note, a credit request's
// explanation) holds a henkilötunnus, which must not be sent or stored
// there (personal data); validate.FreeText gives it.
const CodeTextHetu = "text_hetu"
