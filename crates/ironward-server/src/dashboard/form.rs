//! Accessible form pieces of the management pages: fields with their label, hint and error
//! (`aria-describedby`, `aria-invalid`, `autofocus` on the first invalid field, so that focus
//! lands where the problem is without any script), an error summary whose items link to the
//! fields, the "shown once" secret panel, and a confirmation page for destructive actions.

use super::Signed;
use super::layout::{self, Nav};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};

/// Errors of one submitted form, by field id, in the order of the fields.
#[derive(Debug, Default)]
pub(crate) struct FormErrors(Vec<(&'static str, String)>);

impl FormErrors {
    /// Records `message` for the field `id`.
    pub(crate) fn add(&mut self, id: &'static str, message: impl Into<String>) {
        self.0.push((id, message.into()));
    }

    /// Whether the form was valid.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first error of field `id`.
    fn of(&self, id: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, m)| m.as_str())
    }

    /// Whether `id` is the first field with an error (it gets the focus).
    fn first(&self, id: &str) -> bool {
        self.0.first().is_some_and(|(f, _)| *f == id)
    }
}

/// The list of errors above a form (announced to screen readers); each links to its field.
pub(crate) fn summary(errors: &FormErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.errors role="alert" {
                p { strong { "Not saved:" } }
                ul { @for (id, e) in &errors.0 { li { a href={"#" (id)} { (e) } } } }
            }
        }
    }
}

/// A text or password field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    /// Element id (also the key of its errors).
    pub(crate) id: &'static str,
    /// Form field name.
    pub(crate) name: &'a str,
    /// Visible label.
    pub(crate) label: &'a str,
    /// `text` or `password`.
    pub(crate) kind: &'a str,
    /// Value shown again after an error (never for passwords).
    pub(crate) value: &'a str,
    /// Help text under the label.
    pub(crate) hint: Option<&'a str>,
    /// The `autocomplete` token.
    pub(crate) autocomplete: Option<&'a str>,
    /// Longest value (characters).
    pub(crate) maxlength: Option<usize>,
}

impl<'a> Input<'a> {
    /// A required text field without hint.
    pub(crate) fn text(id: &'static str, name: &'a str, label: &'a str, value: &'a str) -> Self {
        Self {
            id,
            name,
            label,
            kind: "text",
            value,
            hint: None,
            autocomplete: Some("off"),
            maxlength: None,
        }
    }

    /// A required password field (its value is never sent back).
    pub(crate) fn password(
        id: &'static str,
        name: &'a str,
        label: &'a str,
        autocomplete: &'a str,
    ) -> Self {
        Self {
            id,
            name,
            label,
            kind: "password",
            value: "",
            hint: None,
            autocomplete: Some(autocomplete),
            maxlength: None,
        }
    }

    /// With a hint.
    pub(crate) fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// With a maximum length.
    pub(crate) fn max(mut self, max: usize) -> Self {
        self.maxlength = Some(max);
        self
    }
}

/// The ids a field's `aria-describedby` names: its hint and its error.
fn described(id: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> = [(hint, "hint"), (error, "error")]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, what)| format!("{id}-{what}"))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn hint_and_error(id: &str, hint: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        @if let Some(hint) = hint { span.hint id={(id) "-hint"} { (hint) } }
        @if let Some(error) = error { span.field-error id={(id) "-error"} { (error) } }
    }
}

/// A labelled input with its hint and error.
pub(crate) fn input(f: &Input<'_>, errors: &FormErrors) -> Markup {
    let error = errors.of(f.id);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(f.id) { (f.label) }
            (hint_and_error(f.id, f.hint, error))
            input id=(f.id) type=(f.kind) name=(f.name) value=(f.value) required
                autocomplete=[f.autocomplete] maxlength=[f.maxlength]
                aria-describedby=[described(f.id, f.hint.is_some(), error.is_some())]
                aria-invalid=[error.map(|_| "true")] autofocus[errors.first(f.id)];
        }
    }
}

/// A labelled select of `(value, label)` options with its hint and error.
pub(crate) fn select(
    id: &'static str,
    name: &str,
    label: &str,
    options: &[(&str, &str)],
    selected: &str,
    hint: Option<&str>,
    errors: &FormErrors,
) -> Markup {
    let error = errors.of(id);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            (hint_and_error(id, hint, error))
            select id=(id) name=(name)
                aria-describedby=[described(id, hint.is_some(), error.is_some())]
                aria-invalid=[error.map(|_| "true")] autofocus[errors.first(id)] {
                @for (value, text) in options {
                    option value=(value) selected[*value == selected] { (text) }
                }
            }
        }
    }
}

/// A secret shown once (a new agent key or API token): in a read-only field that selects
/// easily, with the warning that it is not shown again.
pub(crate) fn secret(label: &str, value: &str, usage: Markup) -> Markup {
    html! {
        div.secret role="status" {
            p { strong { "Copy it now: it is shown only once." }
                " The server keeps only its SHA-256; if it is lost, create a new one and revoke this one." }
            div.field.wide {
                label for="secret" { (label) }
                input #secret type="text" readonly value=(value) size="72" spellcheck="false"
                    autocomplete="off" aria-describedby="secret-usage" autofocus;
            }
            div #secret-usage { (usage) }
        }
    }
}

/// A confirmation page: `question`, then a form that POSTs to `action` (with the CSRF token)
/// and a link back to `cancel`.
pub(crate) fn confirm(
    title: &str,
    signed: &Signed,
    nav: Nav,
    question: Markup,
    action: &str,
    button: &str,
    cancel: &str,
) -> Response {
    layout::page(
        title,
        signed,
        nav,
        html! {
            (question)
            form.confirm method="post" action=(action) {
                input type="hidden" name="csrf" value=(signed.csrf);
                button.danger type="submit" { (button) }
                " "
                a href=(cancel) { "Cancel" }
            }
        },
    )
    .into_response()
}

/// A form page shown again with its errors: `422 Unprocessable Content`.
pub(crate) fn invalid(page: Html<String>) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}
