package engine

import (
	"fmt"
	"strconv"
	"time"
)

// parseISODuration reads an ISO 8601 duration such as PT10M, P1DT2H or
// PT0.5S (the form aws:sleep's Duration takes). Years and months have no
// fixed length and are refused.
func parseISODuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not an ISO 8601 duration such as PT10M or P1DT2H", s)
	if len(s) < 3 || s[0] != 'P' {
		return 0, bad
	}
	var total time.Duration
	inTime := false
	num := ""
	seen := false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 'T':
			if inTime || num != "" {
				return 0, bad
			}
			inTime = true
		case (c >= '0' && c <= '9') || c == '.' || c == ',':
			if c == ',' {
				c = '.'
			}
			num += string(c)
		default:
			if num == "" {
				return 0, bad
			}
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f < 0 {
				return 0, bad
			}
			var unit time.Duration
			switch {
			case !inTime && c == 'W':
				unit = 7 * 24 * time.Hour
			case !inTime && c == 'D':
				unit = 24 * time.Hour
			case inTime && c == 'H':
				unit = time.Hour
			case inTime && c == 'M':
				unit = time.Minute
			case inTime && c == 'S':
				unit = time.Second
			case !inTime && (c == 'Y' || c == 'M'):
				return 0, fmt.Errorf("%q uses years or months, which have no fixed length", s)
			default:
				return 0, bad
			}
			if f > float64(1<<62)/float64(unit) {
				return 0, fmt.Errorf("%q is too long", s)
			}
			total += time.Duration(f * float64(unit))
			num = ""
			seen = true
		}
	}
	if num != "" || !seen || (inTime && s[len(s)-1] == 'T') {
		return 0, bad
	}
	return total, nil
}
