package runbook

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var isoDurationRE = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)

// ParseISODuration parses an ISO 8601 duration such as "PT10M" or
// "P1DT12H", the form of aws:sleep's Duration. Years and months are refused:
// their length depends on the calendar.
func ParseISODuration(s string) (time.Duration, error) {
	m := isoDurationRE.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		if strings.ContainsAny(s, "YM") && !strings.Contains(s, "T") {
			return 0, fmt.Errorf("%q uses years or months, which have no fixed length", s)
		}
		return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT30M or P1DT2H", s)
	}
	// Well inside time.Duration's range, so the conversion cannot overflow.
	const maxSeconds = 9e9
	units := []float64{7 * 24 * 3600, 24 * 3600, 3600, 60, 1}
	var total float64
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseFloat(strings.Replace(m[i+1], ",", ".", 1), 64)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", s, err)
		}
		total += n * u
		if total > maxSeconds {
			return 0, fmt.Errorf("%q is too long", s)
		}
	}
	return time.Duration(total * float64(time.Second)), nil
}

// ParseISOTimestamp parses an ISO 8601 instant with a time zone, such as
// "2026-01-02T15:04:05Z", the form of aws:sleep's Timestamp.
func ParseISOTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 timestamp such as 2026-01-02T15:04:05Z", s)
}
