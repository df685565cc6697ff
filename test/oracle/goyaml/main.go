// Kubernetes' reading of a manifest stream, for test/kube-yaml.test.ts: what `kubectl apply -f FILE` decodes.
//
// kubectl (k8s.io/cli-runtime's StreamVisitor) reads a file with k8s.io/apimachinery's NewYAMLOrJSONDecoder: a
// stream that starts with `{` is JSON; otherwise YAMLReader.Read splits it into chunks at lines that start with
// `---` (lines end at '\n' only; LineReader drops a "\r\n" or "\n" and writes '\n'; a `---` line followed by
// anything but spaces or a comment stops the stream with "invalid Yaml document separator"), and each chunk goes
// through sigs.k8s.io/yaml (go-yaml v2, then JSON), which decodes the chunk's first YAML document only. The
// apimachinery part is written out here (Debian does not package it); the decoding is the real library.
//
// Usage: goyaml FILE... ; prints one JSON line per file:
// {"file": F, "docs": [{"chunk": TEXT, "json": VALUE} | {"chunk": TEXT, "error": MSG}], "fatal": MSG?}
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"sigs.k8s.io/yaml"
)

type doc struct {
	Chunk string          `json:"chunk"`
	JSON  json.RawMessage `json:"json,omitempty"`
	Error string          `json:"error,omitempty"`
}

type result struct {
	File  string `json:"file"`
	Docs  []doc  `json:"docs"`
	Fatal string `json:"fatal,omitempty"`
}

// readLine is apimachinery's LineReader.Read: one line, its "\n" or "\r\n" replaced by "\n".
func readLine(r *bufio.Reader) ([]byte, error) {
	var buffer bytes.Buffer
	isPrefix := true
	var err error
	var line []byte
	for isPrefix && err == nil {
		line, isPrefix, err = r.ReadLine()
		buffer.Write(line)
	}
	buffer.WriteByte('\n')
	return buffer.Bytes(), err
}

// readChunk is apimachinery's YAMLReader.Read.
func readChunk(r *bufio.Reader) ([]byte, error) {
	var buffer bytes.Buffer
	for {
		line, err := readLine(r)
		if err != nil && err != io.EOF {
			return nil, err
		}
		if bytes.Index(line, []byte("---")) == 0 {
			trimmed := strings.TrimSpace(string(line[3:]))
			if len(trimmed) > 0 && trimmed[0] != '#' {
				return nil, fmt.Errorf("invalid Yaml document separator: %s", trimmed)
			}
			if buffer.Len() != 0 {
				return buffer.Bytes(), nil
			}
			if err == io.EOF {
				return nil, err
			}
		}
		if err == io.EOF {
			if buffer.Len() != 0 {
				return buffer.Bytes(), nil
			}
			return nil, err
		}
		buffer.Write(line)
	}
}

func hasJSONPrefix(b []byte) bool {
	trim := bytes.TrimLeftFunc(b, unicode.IsSpace)
	return len(trim) > 0 && trim[0] == '{'
}

func read(file string) result {
	res := result{File: file, Docs: []doc{}}
	data, err := os.ReadFile(file)
	if err != nil {
		res.Fatal = err.Error()
		return res
	}
	if hasJSONPrefix(data) {
		d := json.NewDecoder(bytes.NewReader(data))
		for {
			var raw json.RawMessage
			if err := d.Decode(&raw); err != nil {
				if err != io.EOF {
					res.Fatal = err.Error()
				}
				return res
			}
			res.Docs = append(res.Docs, doc{Chunk: "", JSON: raw})
		}
	}
	r := bufio.NewReaderSize(bytes.NewReader(data), 4096)
	for {
		chunk, err := readChunk(r)
		if err != nil {
			if err != io.EOF {
				res.Fatal = err.Error()
			}
			return res
		}
		j, err := yaml.YAMLToJSON(chunk)
		if err != nil {
			res.Docs = append(res.Docs, doc{Chunk: string(chunk), Error: err.Error()})
			continue
		}
		res.Docs = append(res.Docs, doc{Chunk: string(chunk), JSON: j})
	}
}

func main() {
	out := json.NewEncoder(os.Stdout)
	for _, file := range os.Args[1:] {
		if err := out.Encode(read(file)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
