//go:build cgo

package pyscan

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// calls renders calls as "line kind client[.type].name args" for compact
// comparison.
func calls(r *Result) []string {
	kinds := map[Kind]string{Method: "call", Paginator: "paginator", Waiter: "waiter", ResourceAction: "resource"}
	var out []string
	for _, c := range r.Calls {
		s := fmt.Sprintf("%d %s %s", c.Line, kinds[c.Kind], c.Client)
		if c.Type != "" {
			s += "." + c.Type
		}
		s += "." + c.Name
		for _, k := range sortedArgKeys(c.Args) {
			var items []string
			if c.Args[k].Unknown {
				items = append(items, "?")
			}
			for _, it := range c.Args[k].Items {
				if it.Event != "" {
					items = append(items, "events:"+it.Event)
				} else {
					items = append(items, it.Literal)
				}
			}
			s += " " + k + "=" + strings.Join(items, ",")
		}
		out = append(out, s)
	}
	return out
}

func sortedArgKeys(m map[string]Arg) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func problems(r *Result) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, fmt.Sprintf("%d %s", p.Line, p.Detail))
	}
	return out
}

func TestAnalyzeFixture(t *testing.T) {
	src, err := os.ReadFile("testdata/helpers.py")
	require.NoError(t, err)
	r, err := Analyze(src, "handler")
	require.NoError(t, err)
	got := calls(r)
	assert.Equal(t, []string{
		"15 call ec2.stop_instances InstanceIds=events:InstanceId",
		"16 call logs.put_log_events logEvents= logGroupName=/ops logStreamName=s",
		"20 paginator ec2.describe_instances InstanceIds=events:InstanceId",
		"37 waiter ec2.instance_stopped InstanceIds=events:InstanceId",
		"40 resource s3.Object.load $0=bucket",
		"40 resource s3.Object.put $0=bucket Body=?",
		"42 call ssm.get_parameter Name=events:ParamName WithDecryption=?",
	}, got)
	assert.Empty(t, r.Problems)
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		calls    []string
		problems []string
	}{
		{
			name:  "module client and literal ids",
			src:   "import boto3\nec2 = boto3.client('ec2')\ndef h(events, ctx):\n    ec2.start_instances(InstanceIds=['i-1', 'i-2'])\n",
			calls: []string{"4 call ec2.start_instances InstanceIds=i-1,i-2"},
		},
		{
			name:  "aliased import and from import",
			src:   "import boto3 as b\nfrom boto3 import client\ndef h(events, ctx):\n    b.client('sts').get_caller_identity()\n    client('sqs').send_message(QueueUrl='q', MessageBody='m')\n",
			calls: []string{"4 call sts.get_caller_identity", "5 call sqs.send_message MessageBody=m QueueUrl=q"},
		},
		{
			name:  "only functions reached from the handler",
			src:   "import boto3\ndef other():\n    boto3.client('iam').delete_role(RoleName='r')\ndef h(events, ctx):\n    boto3.client('ec2').describe_regions()\n",
			calls: []string{"5 call ec2.describe_regions"},
		},
		{
			name:  "keyword client argument and default parameter",
			src:   "import boto3\ndef f(x, c=None):\n    c.describe_volumes()\ndef h(events, ctx):\n    f(1, c=boto3.client('ec2'))\n",
			calls: []string{"3 call ec2.describe_volumes"},
		},
		{
			name:  "recursion terminates",
			src:   "import boto3\ndef f(c):\n    c.list_buckets()\n    f(c)\ndef h(events, ctx):\n    f(boto3.client('s3'))\n",
			calls: []string{"3 call s3.list_buckets"},
		},
		{
			name:  "resource collections and service methods",
			src:   "import boto3\ndef h(events, ctx):\n    ec2 = boto3.resource('ec2')\n    for i in ec2.instances.filter(Filters=[]):\n        i.stop()\n    ec2.create_tags(Resources=['i-1'], Tags=[])\n    for o in ec2.Bucket('b').objects.all():\n        o.delete()\n",
			calls: []string{"4 resource ec2.instances.filter Filters=", "5 resource ec2.Instance.stop", "6 resource ec2.create_tags Resources=i-1 Tags=", "7 resource ec2.Bucket.objects.all $0=b", "7 resource ec2.Bucket.load $0=b", "8 resource ec2.ObjectSummary.delete"},
		},
		{
			name:  "closure over the handler's client",
			src:   "import boto3\ndef h(events, ctx):\n    ec2 = boto3.client('ec2')\n    def stop(i):\n        ec2.stop_instances(InstanceIds=[i])\n    stop('i-1')\n",
			calls: []string{"5 call ec2.stop_instances InstanceIds=i-1"},
		},
		{
			name:  "each argument list is followed",
			src:   "import boto3\ndef stop(c, ids):\n    c.stop_instances(InstanceIds=ids)\ndef h(events, ctx):\n    c = boto3.client('ec2')\n    stop(c, ['i-1'])\n    stop(c, ['i-2'])\n",
			calls: []string{"3 call ec2.stop_instances InstanceIds=i-1", "3 call ec2.stop_instances InstanceIds=i-2"},
		},
		{
			name:  "function handed to an executor and a lambda",
			src:   "import boto3\nfrom concurrent import futures\ndef work(i):\n    boto3.client('ec2').reboot_instances(InstanceIds=[i])\ndef h(events, ctx):\n    with futures.ThreadPoolExecutor() as ex:\n        ex.map(work, ['i-1'])\n    retry(lambda: boto3.client('ssm').list_documents())\n",
			calls: []string{"4 call ec2.reboot_instances InstanceIds=?", "8 call ssm.list_documents"},
		},
		{
			name:     "client chosen by a branch",
			src:      "import boto3\ndef h(events, ctx):\n    if events['Db']:\n        c = boto3.client('rds')\n    else:\n        c = boto3.client('ec2')\n    c.describe_tags()\n",
			calls:    []string{"7 call ec2.describe_tags"},
			problems: []string{"6 c is the rds client made at line 4 or the ec2 client made at line 6 depending on the branch taken"},
		},
		{
			name:  "sequential reuse of a name",
			src:   "import boto3\ndef h(events, ctx):\n    c = boto3.client('rds')\n    c.describe_db_instances()\n    c = boto3.client('ec2')\n    c.describe_tags()\n",
			calls: []string{"4 call rds.describe_db_instances", "6 call ec2.describe_tags"},
		},
		{
			name:  "main guard does not run and constant f-strings are literals",
			src:   "import boto3\ndef h(events, ctx):\n    boto3.client(f'ec2').describe_tags(Filters=[])\nif __name__ == '__main__':\n    h({}, None)\n    boto3.client('iam').delete_role(RoleName='x')\n",
			calls: []string{"3 call ec2.describe_tags Filters="},
		},
		{
			name:     "interpolated f-string service",
			src:      "import boto3\ndef h(events, ctx):\n    boto3.client(f\"{events['S']}\").describe_tags()\n",
			problems: []string{"3 the service name of this boto3 client is computed at run time: boto3.client(f\"{events['S']}\")"},
		},
		{
			name:     "service name from events",
			src:      "import boto3\ndef h(events, ctx):\n    boto3.client(events['Service']).list_things()\n",
			problems: []string{"3 the service name of this boto3 client is computed at run time: boto3.client(events['Service'])"},
		},
		{
			name:     "getattr",
			src:      "import boto3\ndef h(events, ctx):\n    c = boto3.client('ec2')\n    getattr(c, events['Op'])()\n",
			problems: []string{"4 getattr on the ec2 client made at line 3 chooses the operation at run time"},
		},
		{
			name:     "client meta",
			src:      "import boto3\ndef h(events, ctx):\n    c = boto3.client('ec2')\n    c.meta.events.register('x', print)\n",
			problems: []string{"4 ec2.meta reaches the client's internals: what it calls cannot be known"},
		},
		{
			name:     "client stored in a dict",
			src:      "import boto3\ndef h(events, ctx):\n    cs = {'ec2': boto3.client('ec2')}\n    cs['ec2'].describe_instances()\n",
			problems: []string{"3 a ec2 client made at line 3 is stored or passed where the analysis cannot follow it"},
		},
		{
			name:     "client passed to an unknown function",
			src:      "import boto3, lib\ndef h(events, ctx):\n    lib.run(boto3.client('ec2'))\n",
			problems: []string{"3 a ec2 client made at line 3 is stored or passed where the analysis cannot follow it"},
		},
		{
			name:     "computed waiter name",
			src:      "import boto3\ndef h(events, ctx):\n    boto3.client('ec2').get_waiter(events['W'])\n",
			problems: []string{"3 ec2.get_waiter is given a name computed at run time"},
		},
		{
			name:     "missing handler",
			src:      "import boto3\ndef other(events, ctx):\n    pass\n",
			problems: []string{`1 the handler function "h" is not defined at module level`},
		},
		{
			name:  "modern syntax",
			src:   "import boto3\ndef h(events: dict, ctx) -> dict:\n    match events:\n        case {'a': x}:\n            pass\n    if (c := boto3.client('ec2')):\n        pass\n    name = f\"{events['A']!r:>10}\"\n    boto3.client('ssm').get_parameter(Name=r'\\x')\n    return {**events}\n",
			calls: []string{"9 call ssm.get_parameter Name=\\x"},
		},
		{
			name:  "keyword with a value computed at run time",
			src:   "import boto3\ndef h(events, ctx):\n    k = lookup(events)\n    boto3.client('ec2').copy_snapshot(SourceSnapshotId='snap-1', KmsKeyId=k, Encrypted=True)\n",
			calls: []string{"4 call ec2.copy_snapshot Encrypted=? KmsKeyId=? SourceSnapshotId=snap-1"},
		},
		{
			name:  "escapes in literals",
			src:   "import boto3\ndef h(events, ctx):\n    boto3.client('s3').get_object(Bucket='b', Key='a\\tb' 'c')\n",
			calls: []string{"3 call s3.get_object Bucket=b Key=a\tbc"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Analyze([]byte(tt.src), "h")
			require.NoError(t, err)
			assert.Equal(t, tt.calls, calls(r))
			assert.Equal(t, tt.problems, problems(r))
		})
	}
}

func TestAnalyzeBounds(t *testing.T) {
	// A long concatenation nests deeply but is ordinary code.
	long := "import boto3\ndef h(events, ctx):\n    x = " + strings.Repeat("'a' + ", 500) + "'a'\n    boto3.client('ec2').describe_tags()\n"
	r, err := Analyze([]byte(long), "h")
	require.NoError(t, err)
	assert.Equal(t, []string{"4 call ec2.describe_tags"}, calls(r))
	assert.Empty(t, r.Problems)

	// Hostile nesting is cut off with a problem, not a crash.
	deep := "def h(events, ctx):\n    x = " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000) + "\n"
	r, err = Analyze([]byte(deep), "h")
	require.NoError(t, err)
	assert.Equal(t, []string{"2 the script is too complex to analyse"}, problems(r))
}

func TestAnalyzeErrors(t *testing.T) {
	_, err := Analyze([]byte(strings.Repeat("#", MaxScript+1)), "h")
	require.ErrorIs(t, err, ErrTooLarge)

	_, err = Analyze([]byte("def h(events, ctx):\n    x = = 1\n"), "h")
	var se *SyntaxError
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Equal(t, 2, se.Line)
}

func FuzzAnalyze(f *testing.F) {
	f.Add([]byte("import boto3\ndef h(events, ctx):\n    boto3.client('ec2').describe_instances(InstanceIds=[events['I']])\n"), "h")
	f.Add([]byte("class A:\n  def __init__(self): self.c = boto3.client('s3')\n  def m(self): self.c.list_buckets()\ndef h(e, c): A().m()\n"), "h")
	f.Add([]byte("def h(e,c): h(e,c)\n"), "h")
	f.Add([]byte("(((((((((("), "x")
	if src, err := os.ReadFile("testdata/helpers.py"); err == nil {
		f.Add(src, "handler")
	}
	f.Fuzz(func(t *testing.T, src []byte, handler string) {
		r, err := Analyze(src, handler)
		if err == nil {
			require.NotNil(t, r)
			assert.LessOrEqual(t, len(r.Calls), maxCalls)
		}
	})
}

func BenchmarkAnalyze(b *testing.B) {
	src, err := os.ReadFile("testdata/helpers.py")
	require.NoError(b, err)
	big := []byte(strings.Repeat(string(src)+"\n", 20))
	b.SetBytes(int64(len(big)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Analyze(big, "handler"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(float64(len(big))/1024), "ns/KB")
}
