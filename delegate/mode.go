package delegate

import "fmt"

// Mode says where the service role of an automation is named, which decides
// who needs which right.
type Mode int

// The modes of delegated administration.
const (
	// Embedded writes the role's ARN into the document's assumeRole. The
	// operator needs no iam:PassRole and so cannot reuse the role elsewhere.
	Embedded Mode = iota + 1
	// Runtime declares an AutomationAssumeRole parameter that assumeRole
	// reads; the operator passes the role when starting and needs
	// iam:PassRole on exactly that role.
	Runtime
	// Caller names no role: the automation runs in a temporary session of
	// the caller, which expires after 12 hours.
	Caller
)

// Modes lists every mode.
func Modes() []Mode { return []Mode{Embedded, Runtime, Caller} }

func (m Mode) String() string {
	switch m {
	case Embedded:
		return "embedded"
	case Runtime:
		return "runtime"
	case Caller:
		return "caller"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode returns the mode named s ("embedded", "runtime" or "caller").
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes() {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("delegate: unknown mode %q (want embedded, runtime or caller)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (m Mode) MarshalText() ([]byte, error) {
	if m < Embedded || m > Caller {
		return nil, fmt.Errorf("delegate: invalid mode %d", int(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
