package runbook

//go:generate go run ./internal/actionsgen

// SchemaVersion is the only schema version of Automation documents.
const SchemaVersion = "0.3"

// Document is a schema 0.3 Automation runbook.
type Document struct {
	SchemaVersion string
	Description   string
	// AssumeRole is the service role the automation runs as: an ARN, a
	// reference such as "{{ AutomationAssumeRole }}", or empty to run in the
	// caller's session.
	AssumeRole string
	Parameters []Parameter
	Variables  []Variable
	MainSteps  []Step
	// Outputs lists "step.Output" values the execution reports.
	Outputs []string
	Files   []File

	// emptyDescription keeps description: "" as written.
	emptyDescription bool
}

// ParameterType is the type of a document parameter or variable.
type ParameterType string

// The parameter types Automation accepts.
const (
	TypeString      ParameterType = "String"
	TypeStringList  ParameterType = "StringList"
	TypeInteger     ParameterType = "Integer"
	TypeBoolean     ParameterType = "Boolean"
	TypeMapList     ParameterType = "MapList"
	TypeStringMap   ParameterType = "StringMap"
	TypeInstanceID  ParameterType = "AWS::EC2::Instance::Id"
	TypeInstanceIDs ParameterType = "List<AWS::EC2::Instance::Id>"
	TypeRoleARN     ParameterType = "AWS::IAM::Role::Arn"
	TypeRoleARNs    ParameterType = "List<AWS::IAM::Role::Arn>"
	TypeBucketName  ParameterType = "AWS::S3::Bucket::Name"
	TypeBucketNames ParameterType = "List<AWS::S3::Bucket::Name>"
)

// ParameterTypes lists every parameter type, in documentation order.
func ParameterTypes() []ParameterType {
	return []ParameterType{TypeString, TypeStringList, TypeInteger, TypeBoolean, TypeMapList, TypeStringMap,
		TypeInstanceID, TypeInstanceIDs, TypeRoleARN, TypeRoleARNs, TypeBucketName, TypeBucketNames}
}

// IsList reports whether values of the type are lists.
func (t ParameterType) IsList() bool {
	switch t {
	case TypeStringList, TypeMapList, TypeInstanceIDs, TypeRoleARNs, TypeBucketNames:
		return true
	}
	return false
}

// Known reports whether t is one of [ParameterTypes].
func (t ParameterType) Known() bool {
	for _, k := range ParameterTypes() {
		if k == t {
			return true
		}
	}
	return false
}

// Parameter is one input parameter of a document.
type Parameter struct {
	Name           string
	Type           ParameterType
	Description    string
	Default        Value
	AllowedValues  []Value
	AllowedPattern string
	DisplayType    string
	MinItems       *int
	MaxItems       *int
	MinChars       *int
	MaxChars       *int

	emptyDescription bool // description: "" as written
}

// Required reports whether a caller must supply the parameter: it has no
// default.
func (p Parameter) Required() bool { return p.Default.IsZero() }

// Variable is a document variable, set by aws:updateVariable and read as
// {{ variable:NAME }}.
type Variable struct {
	Name        string
	Type        ParameterType
	Description string
	Default     Value

	emptyDescription bool // description: "" as written
}

// File is one attachment declared under the document's "files" key.
type File struct {
	Name      string
	Checksums []Member
}

// OnFailure values: Abort, Continue or "step:NAME".
const (
	Abort    = "Abort"
	Continue = "Continue"
)

// GoTo returns the onFailure/onCancel value that jumps to step name.
func GoTo(step string) string { return "step:" + step }

// OutputType is the type of a step output.
type OutputType string

// The step output types.
const (
	OutputString     OutputType = "String"
	OutputInteger    OutputType = "Integer"
	OutputBoolean    OutputType = "Boolean"
	OutputStringList OutputType = "StringList"
	OutputStringMap  OutputType = "StringMap"
	OutputMapList    OutputType = "MapList"
)

// Output is a user-defined step output selected from the step's response.
type Output struct {
	Name     string
	Selector string
	Type     OutputType
}

// Step is one entry of mainSteps (or of an aws:loop's Steps).
type Step struct {
	Name           string
	Description    string
	MaxAttempts    *int
	TimeoutSeconds *int
	OnFailure      string
	OnCancel       string
	IsEnd          *bool
	IsCritical     *bool
	NextStep       string
	Inputs         Inputs
	Outputs        []Output
	// Verbatim keeps maxAttempts, timeoutSeconds, isEnd and isCritical
	// when the document writes them as strings ("600", "true" or a
	// {{ }} reference), so they encode back as written. A numeric or
	// boolean string also sets the typed field; a reference leaves it nil.
	// It also keeps a description written as "", which an empty
	// Description alone would drop.
	Verbatim []Member
}

// verbatim returns the string form of a common property, if kept.
func (s *Step) verbatim(key string) (Value, bool) {
	for _, m := range s.Verbatim {
		if m.Key == key {
			return m.Value, true
		}
	}
	return Value{}, false
}

// Action returns the step's action, such as "aws:changeInstanceState".
func (s Step) Action() string {
	if s.Inputs == nil {
		return ""
	}
	return s.Inputs.Action()
}

// Inputs is the typed inputs of one action: one of the action types of this
// package ([ChangeInstanceState], [ExecuteAwsApi], [Branch], …) or
// [RawInputs] for an action this package does not know.
type Inputs interface {
	// Action returns the action name, such as "aws:sleep".
	Action() string
	// Members returns the inputs set, in wire order.
	Members() []Member
	isInputs()
}

// PredefinedOutput is an output an action always produces.
type PredefinedOutput struct {
	Name string
	Type OutputType
}

// settableInputs is filled key by key by the decoder.
type settableInputs interface {
	Inputs
	set(key string, v Value) error
}

type inputSpec struct {
	name     string
	required bool
	enum     []string
	kind     inputKind
}

// inputKind is the wire shape AWS expects for an input.
type inputKind int

const (
	kindAny inputKind = iota
	kindString
	kindStringList
	kindInteger
	kindBoolean
	kindMap
	kindMapList
)

var inputKindNames = [...]string{"any value", "a string", "a list of strings (StringList)", "an integer",
	"a boolean", "a map (StringMap)", "a list of maps (MapList)"}

func (k inputKind) String() string { return inputKindNames[k] }

type actionSpec struct {
	name      string
	newInputs func() settableInputs
	inputs    []inputSpec
	outputs   []PredefinedOutput
	// apiCall marks actions whose other inputs are API parameters.
	apiCall bool
}

func appendMember(ms []Member, key string, v Value) []Member {
	if v.IsZero() {
		return ms
	}
	return append(ms, Member{Key: key, Value: v})
}

// Actions returns the names of every action this package types.
func Actions() []string {
	specs := actionSpecs()
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.name
	}
	return out
}

// PredefinedOutputs returns the outputs action produces without being
// declared, such as aws:runInstances' InstanceIds.
func PredefinedOutputs(action string) []PredefinedOutput {
	if s := specFor(action); s != nil {
		return append([]PredefinedOutput(nil), s.outputs...)
	}
	return nil
}

func actionSpecs() []actionSpec {
	specs := generatedSpecs()
	specs = append(specs,
		actionSpec{name: "aws:executeAwsApi", apiCall: true, newInputs: func() settableInputs { return new(ExecuteAwsApi) },
			inputs: []inputSpec{{name: "Service", required: true, kind: kindString}, {name: "Api", required: true, kind: kindString}}},
		actionSpec{name: "aws:waitForAwsResourceProperty", apiCall: true, newInputs: func() settableInputs { return new(WaitForAwsResourceProperty) },
			inputs: []inputSpec{{name: "Service", required: true, kind: kindString}, {name: "Api", required: true, kind: kindString}, {name: "PropertySelector", required: true, kind: kindString}, {name: "DesiredValues", required: true, kind: kindStringList}}},
		actionSpec{name: "aws:assertAwsResourceProperty", apiCall: true, newInputs: func() settableInputs { return new(AssertAwsResourceProperty) },
			inputs: []inputSpec{{name: "Service", required: true, kind: kindString}, {name: "Api", required: true, kind: kindString}, {name: "PropertySelector", required: true, kind: kindString}, {name: "DesiredValues", required: true, kind: kindStringList}}},
		actionSpec{name: "aws:branch", newInputs: func() settableInputs { return new(Branch) },
			inputs: []inputSpec{{name: "Choices", required: true}, {name: "Default"}, {name: "InputPayload"}}},
		actionSpec{name: "aws:loop", newInputs: func() settableInputs { return new(Loop) },
			inputs: []inputSpec{{name: "Iterators", kind: kindAny}, {name: "IteratorDataType", enum: []string{"Boolean", "Integer", "String", "StringMap"}, kind: kindString},
				{name: "LoopCondition"}, {name: "MaxIterations", kind: kindInteger}, {name: "Steps", required: true}},
			outputs: []PredefinedOutput{{Name: "CurrentIteration", Type: OutputInteger}, {Name: "CurrentIteratorValue", Type: OutputString}}},
	)
	return specs
}

var specIndex = func() map[string]*actionSpec {
	specs := actionSpecs()
	m := make(map[string]*actionSpec, len(specs))
	for i := range specs {
		m[specs[i].name] = &specs[i]
	}
	return m
}()

func specFor(action string) *actionSpec { return specIndex[action] }

// APICall is the shape shared by aws:executeAwsApi,
// aws:waitForAwsResourceProperty and aws:assertAwsResourceProperty.
type APICall struct {
	// Service is the SDK client name, such as "ec2" or "stepfunctions".
	Service Value
	// Api is the operation, such as "DescribeInstances".
	Api Value
	// Params are the API request parameters, in wire order.
	Params []Member
}

// ExecuteAwsApi holds the inputs of aws:executeAwsApi, which calls any AWS
// API operation.
type ExecuteAwsApi struct {
	APICall
}

// Action returns "aws:executeAwsApi".
func (ExecuteAwsApi) Action() string { return "aws:executeAwsApi" }
func (ExecuteAwsApi) isInputs()      {}

// Members returns the inputs in wire order.
func (in ExecuteAwsApi) Members() []Member { return in.APICall.members(Value{}, Value{}) }

func (in *ExecuteAwsApi) set(key string, v Value) error { in.APICall.set(key, v); return nil }

// WaitForAwsResourceProperty holds the inputs of
// aws:waitForAwsResourceProperty, which polls an API until a property has one
// of the desired values.
type WaitForAwsResourceProperty struct {
	APICall
	PropertySelector Value
	DesiredValues    Value
}

// Action returns "aws:waitForAwsResourceProperty".
func (WaitForAwsResourceProperty) Action() string { return "aws:waitForAwsResourceProperty" }
func (WaitForAwsResourceProperty) isInputs()      {}

// Members returns the inputs in wire order.
func (in WaitForAwsResourceProperty) Members() []Member {
	return in.APICall.members(in.PropertySelector, in.DesiredValues)
}

func (in *WaitForAwsResourceProperty) set(key string, v Value) error {
	in.PropertySelector, in.DesiredValues = in.APICall.setAssertion(key, v, in.PropertySelector, in.DesiredValues)
	return nil
}

// AssertAwsResourceProperty holds the inputs of
// aws:assertAwsResourceProperty, which fails unless an API property has one of
// the desired values.
type AssertAwsResourceProperty struct {
	APICall
	PropertySelector Value
	DesiredValues    Value
}

// Action returns "aws:assertAwsResourceProperty".
func (AssertAwsResourceProperty) Action() string { return "aws:assertAwsResourceProperty" }
func (AssertAwsResourceProperty) isInputs()      {}

// Members returns the inputs in wire order.
func (in AssertAwsResourceProperty) Members() []Member {
	return in.APICall.members(in.PropertySelector, in.DesiredValues)
}

func (in *AssertAwsResourceProperty) set(key string, v Value) error {
	in.PropertySelector, in.DesiredValues = in.APICall.setAssertion(key, v, in.PropertySelector, in.DesiredValues)
	return nil
}

func (c APICall) members(selector, desired Value) []Member {
	var ms []Member
	ms = appendMember(ms, "Service", c.Service)
	ms = appendMember(ms, "Api", c.Api)
	ms = append(ms, c.Params...)
	ms = appendMember(ms, "PropertySelector", selector)
	ms = appendMember(ms, "DesiredValues", desired)
	return ms
}

func (c *APICall) setAssertion(key string, v, selector, desired Value) (Value, Value) {
	switch key {
	case "PropertySelector":
		return v, desired
	case "DesiredValues":
		return selector, v
	}
	c.set(key, v)
	return selector, desired
}

func (c *APICall) set(key string, v Value) {
	switch key {
	case "Service":
		c.Service = v
	case "Api":
		c.Api = v
	default:
		c.Params = append(c.Params, Member{Key: key, Value: v})
	}
}

// ServiceName returns the literal Service input, if it is one.
func (c APICall) ServiceName() string { s, _ := c.Service.AsString(); return s }

// APIName returns the literal Api input, if it is one.
func (c APICall) APIName() string { s, _ := c.Api.AsString(); return s }

// Param returns the API parameter named key.
func (c APICall) Param(key string) (Value, bool) {
	for _, m := range c.Params {
		if m.Key == key {
			return m.Value, true
		}
	}
	return Value{}, false
}

// RawInputs keeps the inputs of an action this package does not know, so a
// document using a newer action round-trips. Validation reports it.
type RawInputs struct {
	Name   string
	Inputs []Member
}

// Action returns the action name as written.
func (r RawInputs) Action() string    { return r.Name }
func (RawInputs) isInputs()           {}
func (r RawInputs) Members() []Member { return r.Inputs }
func (r *RawInputs) set(key string, v Value) error {
	r.Inputs = append(r.Inputs, Member{Key: key, Value: v})
	return nil
}
