package botocore

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReachXML(t *testing.T) {
	m := &Model{Shapes: map[string]Shape{
		"Out": {Type: "structure", Members: map[string]Ref{
			"Zones":  {Shape: "ZoneList"},
			"Marker": {Shape: "String", Location: "header", LocationName: "x-marker"},
			"Tags":   {Shape: "TagMap", LocationName: "TagSet"},
		}},
		"ZoneList": {Type: "list", Member: &Ref{Shape: "Zone", LocationName: "HostedZone"}},
		"Zone":     {Type: "structure", Members: map[string]Ref{"Name": {Shape: "String"}, "Self": {Shape: "Zone"}}},
		"TagMap":   {Type: "map", Flattened: true, Key: &Ref{Shape: "String"}, Value: &Ref{Shape: "String"}},
		"String":   {Type: "string"},
	}}
	out := map[string]*XMLShape{}
	m.ReachXML(out, "Out")
	assert.Equal(t, map[string]*XMLShape{
		"Out": {Type: "structure", Members: []XMLRef{
			{Name: "Tags", Shape: "TagMap", XML: "TagSet", Flat: true},
			{Name: "Zones", Shape: "ZoneList"},
		}},
		"ZoneList": {Type: "list", Item: &XMLRef{Shape: "Zone", XML: "HostedZone"}},
		"Zone":     {Type: "structure", Members: []XMLRef{{Name: "Name", Shape: "String"}, {Name: "Self", Shape: "Zone"}}},
		"TagMap":   {Type: "map", Key: &XMLRef{Shape: "String"}, Value: &XMLRef{Shape: "String"}},
	}, out, "scalars and header-bound members are left out; a member named as its element keeps no XML name")
	m.ReachXML(out, "Missing")
	assert.Len(t, out, 4)
}
