package decode

import (
	"encoding/json"
	"reflect"
	"testing"

	yamlv3 "gopkg.in/yaml.v3"
)

// sameAsJSON checks that the YAML reads back as the JSON value it came from.
func sameAsJSON(t *testing.T, in []byte) {
	t.Helper()
	y, err := jsonToYAML(in)
	if err != nil {
		t.Fatalf("jsonToYAML(%s): %v", in, err)
	}
	var want, got any
	if err := json.Unmarshal(in, &want); err != nil {
		t.Fatal(err)
	}
	if err := yamlv3.Unmarshal(y, &got); err != nil {
		t.Fatalf("YAML of %s does not parse: %v\n%s", in, err, y)
	}
	// Through JSON again, so YAML's ints and JSON's floats compare alike.
	gj, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("YAML of %s read back as %#v", in, got)
	}
	var g any
	json.Unmarshal(gj, &g)
	if !reflect.DeepEqual(g, want) {
		t.Fatalf("YAML of %s reads back as %s:\n%s", in, gj, y)
	}
}

func TestJSONToYAML(t *testing.T) {
	for _, in := range []string{
		`{"a":1,"b":"x","c":[1,2,{"d":null,"e":[]}],"f":{},"g":{"h":[[1],[]]}}`,
		`[{"name":"web","ports":[{"containerPort":80}]},"plain",true,false,null]`,
		`{"yes":"no","on":"off","n":"y","num":"1.5","neg":"-1","colon":"a: b","hash":"a #b","empty":"","sp":" x ","nl":"a\nb","k:":"v"}`,
		`{"image":"nginx:1.27","path":"/registry/pods","dot":".hidden","uni":"héllo ✓","tab":"a\tb"}`,
		`[[[]]]`, `{"a":{"b":{"c":{}}}}`,
	} {
		sameAsJSON(t, []byte(in))
	}
	y, _ := jsonToYAML([]byte(`{"kind":"Pod","spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}`))
	want := "kind: Pod\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.27\n"
	if string(y) != want {
		t.Errorf("layout:\n%s\nwant\n%s", y, want)
	}
}

func FuzzJSONToYAML(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"c: d"}]}`, `["yes", "", "0x1", "-", "~"]`, `{"":{"":[]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var v any
		if json.Unmarshal(in, &v) != nil {
			if _, err := jsonToYAML(in); err == nil && json.Valid(in) {
				t.Fatal("valid JSON refused")
			}
			return
		}
		if _, ok := v.(string); ok {
			return // a bare scalar is shown as text, never converted
		}
		sameAsJSON(t, in)
	})
}

func TestJSONToYAMLLiteral(t *testing.T) {
	in := `{"data":{"app.conf":"a=1\nb=2\n","script":"#!/bin/sh\n\n  echo hi","one":"x\n"},"list":["l1\nl2"]}`
	sameAsJSON(t, []byte(in))
	y, _ := jsonToYAML([]byte(in))
	want := "data:\n  app.conf: |\n    a=1\n    b=2\n  script: |-\n    #!/bin/sh\n\n      echo hi\n  one: \"x\\n\"\nlist:\n- |-\n  l1\n  l2\n"
	if string(y) != want {
		t.Errorf("literal blocks:\n%s\nwant\n%s", y, want)
	}
}

func TestJSONToYAMLLiteralEdges(t *testing.T) {
	for _, s := range []string{"a\n  ", "a\n \nb", "a\n\tb", "a\nb\n", "a\n#b", "a\n- b", "a\n---\nb", "a\n...\nb", "é\n✓", "a\r\nb"} {
		in, _ := json.Marshal(map[string]any{"k": s, "l": []string{s}})
		sameAsJSON(t, in)
	}
}
