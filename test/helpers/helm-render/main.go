// helm-render renders a Helm chart the way `helm template` does, for tests on machines without
// the helm binary: Go text/template with the sprig functions and Helm's own (include, tpl,
// toYaml, fromYaml, required), .Values from values.yaml merged with -f files, .Chart, .Release
// and .Files.Get. It is not Helm: no hooks, no lookup, no schema check (the test does that).
//
//	go run . -chart DIR [-dependency DIR] [-f values.yaml]... > rendered.yaml
//
// -dependency adds a chart as Helm adds a dependency: its named templates become callable and
// its values.yaml is the default of .Values.<its name>.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

type chartFiles struct{ dir string }

func (c chartFiles) Get(name string) string {
	data, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		return ""
	}
	return string(data)
}

func main() {
	chart := flag.String("chart", "", "chart folder")
	dependency := flag.String("dependency", "", "a dependency chart folder")
	var valueFiles files
	flag.Var(&valueFiles, "f", "values file (repeatable)")
	flag.Parse()
	if err := run(*chart, *dependency, valueFiles); err != nil {
		fmt.Fprintln(os.Stderr, "helm-render:", err)
		os.Exit(1)
	}
}

func run(chart, dependency string, valueFiles []string) error {
	meta, err := readYaml(filepath.Join(chart, "Chart.yaml"))
	if err != nil {
		return err
	}
	values, err := readYaml(filepath.Join(chart, "values.yaml"))
	if err != nil {
		return err
	}
	for _, file := range valueFiles {
		extra, err := readYaml(file)
		if err != nil {
			return err
		}
		values = merge(values, extra)
	}
	contexts := map[string]map[string]interface{}{chart: context(chart, meta, values)}
	if dependency != "" {
		depMeta, err := readYaml(filepath.Join(dependency, "Chart.yaml"))
		if err != nil {
			return err
		}
		depValues, err := readYaml(filepath.Join(dependency, "values.yaml"))
		if err != nil {
			return err
		}
		name := fmt.Sprint(depMeta["name"])
		mine, _ := values[name].(map[string]interface{})
		values[name] = merge(depValues, mine)
		contexts[dependency] = context(dependency, depMeta, values[name].(map[string]interface{}))
	}

	root := template.New("chart").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["toYaml"] = toYaml
	funcs["fromYaml"] = fromYaml
	funcs["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil || value == "" {
			return nil, fmt.Errorf("%s", message)
		}
		return value, nil
	}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var out bytes.Buffer
		err := root.ExecuteTemplate(&out, name, data)
		return out.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var out bytes.Buffer
		err = t.Execute(&out, data)
		return out.String(), err
	}
	root.Funcs(funcs)

	type page struct{ path, dir string }
	var pages []page
	for _, dir := range []string{dependency, chart} {
		if dir == "" {
			continue
		}
		paths, _ := filepath.Glob(filepath.Join(dir, "templates", "*"))
		for _, path := range paths {
			text, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if _, err := root.New(path).Parse(string(text)); err != nil {
				return err
			}
			pages = append(pages, page{path, dir})
		}
	}
	sort.SliceStable(pages, func(i, j int) bool { return pages[i].path < pages[j].path })

	for _, page := range pages {
		base := filepath.Base(page.path)
		if strings.HasPrefix(base, "_") {
			continue
		}
		var out bytes.Buffer
		if err := root.ExecuteTemplate(&out, page.path, contexts[page.dir]); err != nil {
			return err
		}
		text := strings.ReplaceAll(out.String(), "<no value>", "")
		if !strings.HasSuffix(base, ".yaml") || strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Printf("---\n# Source: %s\n%s\n", base, text)
	}
	return nil
}

// context is what a chart's templates see as "."; the release is always named "release".
func context(dir string, meta, values map[string]interface{}) map[string]interface{} {
	return map[string]interface{}{
		"Values":  values,
		"Chart":   map[string]interface{}{"Name": meta["name"], "Version": meta["version"], "AppVersion": meta["appVersion"]},
		"Release": map[string]interface{}{"Name": "release", "Namespace": "default", "Service": "Helm"},
		"Files":   chartFiles{dir},
	}
}

func readYaml(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// merge returns base with over laid on top; maps merge key by key, anything else replaces.
func merge(base, over map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		if sub, ok := v.(map[string]interface{}); ok {
			if baseSub, ok := out[k].(map[string]interface{}); ok {
				out[k] = merge(baseSub, sub)
				continue
			}
		}
		out[k] = v
	}
	return out
}

func toYaml(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYaml(text string) map[string]interface{} {
	out := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(text), &out); err != nil {
		out["Error"] = err.Error()
	}
	return out
}
