"""Control catalogues, one YAML file per framework (``<framework id>.yaml``), as data.

Rule packs cite controls as ``references: [{framework, control, url}]``; every cited
``(framework, control)`` must be a control in the framework's catalogue. ``checkov`` and
``cwe`` are cross-references with no catalogue.

File shape::

    framework: {id, name, url, status: final|proposed, source_quality, note,
                effective_dates: [...] (optional)}
    controls:
      - id            exactly as the framework writes it ("164.312(a)(1)", "LLM01:2025")
        title
        kind          hipaa: standard | implementation_specification | section
                      hipaa-nprm: proposal; owasp-llm-2025: item
                      nist-ai-rmf: function | category | subcategory
                      nist-800-53: control | enhancement; eu-ai-act: article | paragraph
                      mitre-atlas: technique | sub-technique | mitigation | case_study
                      section-1557: section
        parent        optional; the id of another control in the same file
        requirement   HIPAA only, where Appendix A says so: required | addressable
        status        final | proposed
        checkable     false when a config scanner cannot check it (coverage: out of scope);
                      a parent is checkable when any of its children is
        url           optional
        source_quality  verified | secondary | unverified (domain reference [V]/[S]/[U])
        effective_dates optional mapping, e.g. {as_adopted: ..., omnibus: ...}
        note          optional; caveats, and how the id or title was established

Findings that cite these controls say a configuration "may not satisfy" a control; they are
not legal advice. Items with ``status: proposed`` (the HIPAA Security Rule NPRM) are not law.
"""
