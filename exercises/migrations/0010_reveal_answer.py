from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0009_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="reveal_answer",
            field=models.BooleanField(
                default=False,
                help_text="Show each student the right answer after their last attempt.",
            ),
        ),
    ]
