from django import forms
from django.contrib import admin

from exercises import languages
from exercises.accounts.forms import AdminLoginForm
from exercises.bank import importer, statements
from exercises.leaderboards import services as leaderboards
from exercises.models import (
    Assignment,
    AssignmentProblem,
    Cohort,
    Extension,
    Membership,
    Problem,
    ProblemText,
    RegradeJob,
    Submission,
    TestResult,
)
from grader.kinds import SpecError

# The admin's login checks passwords through the same bounded, throttled door as the others.
admin.site.login_form = AdminLoginForm


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "join_code", "join_enabled", "timezone"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "cohort", "role", "display_name", "show_on_leaderboard"]
    list_filter = ["role", "cohort"]
    search_fields = ["user__username", "display_name"]
    autocomplete_fields = ["user", "cohort"]


class AssignmentProblemInline(admin.TabularInline):
    model = AssignmentProblem
    extra = 0
    autocomplete_fields = ["problem"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "type", "published", "opens_at", "due_at", "attempt_limit"]
    list_filter = ["cohort", "type", "published"]
    search_fields = ["title", "slug"]
    inlines = [AssignmentProblemInline]

    # What counts on the boards may change with an assignment (counts_on_leaderboard, its
    # problems, a deletion with its submissions): the boards hear of it like any other edit.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _assignment_changed(obj.cohort_id, obj.pk)

    def delete_model(self, request, obj):
        cohort_id, pk = obj.cohort_id, obj.pk
        super().delete_model(request, obj)
        _assignment_changed(cohort_id, pk)

    def delete_queryset(self, request, queryset):
        gone = list(queryset.values_list("cohort_id", "pk"))
        super().delete_queryset(request, queryset)
        for cohort_id, pk in gone:
            _assignment_changed(cohort_id, pk)


def _assignment_changed(cohort_id: int, assignment_id: int) -> None:
    leaderboards.boards_changed(
        leaderboards.BoardChange.ASSIGNMENT, cohort_id=cohort_id, assignment_id=assignment_id
    )


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["assignment", "user", "due_at", "extra_attempts"]
    autocomplete_fields = ["user"]


def _hangul_errors(statement: str) -> list[str]:
    return [
        f"line {line}: {statements.HANGUL_IN_MATH}" for line in statements.hangul_in_math(statement)
    ]


class ProblemAdminForm(forms.ModelForm):
    """The importer's checks on an admin edit (``importer.validate_problem``: the kind's spec,
    the hints; and what it asks of every language's statement): a problem the importer would
    refuse is a form error here too, never a stored problem that breaks on its page or in the
    grader."""

    class Meta:
        model = Problem
        fields = "__all__"  # noqa: DJ007 - the admin edits every field

    def clean(self):
        cleaned = super().clean()
        kind, spec = cleaned.get("kind"), cleaned.get("spec")
        if kind is not None and spec is not None:
            try:
                hints = importer.validate_problem(kind, spec, cleaned.get("hints"))
            except SpecError as exc:
                if exc.path.startswith("hints"):
                    self.add_error("hints", str(exc))
                else:
                    self.add_error("kind" if exc.path == "kind" else "spec", str(exc))
            else:
                cleaned["hints"] = [hint.to_json() for hint in hints]
        statement = cleaned.get("statement")
        if statement is not None:
            for message in _hangul_errors(statement):
                self.add_error("statement", message)
            others = self.instance.texts.exclude(language=languages.fallback())
            for text in others if self.instance.pk else ():
                mismatch = statements.placeholder_mismatch(text.statement, statement)
                if mismatch:
                    self.add_error("statement", f"the {text.language!r} statement's {mismatch}")
        return cleaned


class ProblemTextAdminForm(forms.ModelForm):
    """A translation keeps the English statement's placeholders and typesettable maths, as the
    importer requires of ``statement.<code>.md``."""

    class Meta:
        model = ProblemText
        fields = "__all__"  # noqa: DJ007 - the admin edits every field

    def clean_statement(self):
        statement = self.cleaned_data["statement"]
        errors = _hangul_errors(statement)
        mismatch = statements.placeholder_mismatch(statement, self.instance.problem.statement)
        if mismatch:
            errors.append(mismatch)
        if errors:
            raise forms.ValidationError(errors)
        return statement


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    form = ProblemAdminForm
    list_display = ["slug", "title", "kind", "points", "changed_since_import", "updated_at"]
    list_filter = ["kind", "changed_since_import"]
    search_fields = ["slug", "title"]
    readonly_fields = ["uuid", "source_path", "content_hash", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        # An edit in the admin makes the problem differ from its files: say so.
        if change and form.changed_data:
            obj.changed_since_import = True
        super().save_model(request, obj, form, change)
        # English readers read the English ProblemText row: it follows this form's title and
        # statement, which are the English text.
        ProblemText.objects.update_or_create(
            problem=obj,
            language=languages.fallback(),
            defaults={"title": obj.title, "statement": obj.statement},
        )


@admin.register(ProblemText)
class ProblemTextAdmin(admin.ModelAdmin):
    """A translation's small fixes; the English text is edited on the problem itself."""

    form = ProblemTextAdminForm
    list_display = ["problem", "language", "title"]
    list_filter = ["language"]
    search_fields = ["problem__slug", "title"]
    readonly_fields = ["problem", "language"]

    def has_add_permission(self, request):
        return False  # a new language comes from a statement.<code>.md file

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data:
            Problem.objects.filter(pk=obj.problem_id).update(changed_since_import=True)


class TestResultInline(admin.TabularInline):
    model = TestResult
    extra = 0
    can_delete = False
    readonly_fields = ["order", "name", "passed", "points", "max_points", "message", "hidden"]
    exclude = ["data"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "problem",
        "assignment",
        "status",
        "verdict",
        "score",
        "created_at",
    ]
    list_filter = ["status", "verdict", "problem__kind"]
    search_fields = ["user__username", "problem__slug"]
    readonly_fields = [f.name for f in Submission._meta.fields]
    inlines = [TestResultInline]


@admin.register(RegradeJob)
class RegradeJobAdmin(admin.ModelAdmin):
    list_display = ["id", "cohort", "problem", "mode", "state", "done", "total", "changed"]
    list_filter = ["mode", "state"]
    readonly_fields = [f.name for f in RegradeJob._meta.fields]


# --- Quizzes ------------------------------------------------------------------------------------
from exercises.models import QuizAccommodation, QuizAttempt, QuizPool, QuizSettings  # noqa: E402


class QuizPoolInline(admin.TabularInline):
    model = QuizPool
    extra = 0
    filter_horizontal = ["items"]


@admin.register(QuizSettings)
class QuizSettingsAdmin(admin.ModelAdmin):
    list_display = ["assignment", "opens_at", "closes_at", "time_limit_minutes", "feedback_policy"]
    list_filter = ["feedback_policy"]
    inlines = [QuizPoolInline]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["assignment", "user", "started_at", "deadline", "finished_at", "extra_minutes"]
    list_filter = ["assignment"]
    search_fields = ["user__username"]


@admin.register(QuizAccommodation)
class QuizAccommodationAdmin(admin.ModelAdmin):
    list_display = ["assignment", "user", "time_factor", "opens_at", "closes_at", "reason"]
    search_fields = ["user__username"]
